import { withFacts, withInstance } from './log-facts';

describe('log lines with facts', () => {
  it('ends a message with its facts as key=value, quoting values with spaces or quotes, leaving out what is undefined', () => {
    expect(withFacts('client left', { event: 'client_evicted', clientId: 'c4f0-1', code: 1008, room: undefined })).toBe(
      'client left event=client_evicted clientId=c4f0-1 code=1008',
    );
    expect(withFacts('refused', { event: 'refused', room: 'two words', reason: 'a "quote"' })).toBe(
      'refused event=refused room="two words" reason="a \\"quote\\""',
    );
  });

  it('says on every line which instance wrote it, the stack kept apart', () => {
    const lines: unknown[][] = [];
    const logger = withInstance(
      { log: (m) => lines.push(['log', m]), warn: (m) => lines.push(['warn', m]), error: (...args) => lines.push(['error', ...args]) },
      () => 'node-7',
    );
    logger.log('up event=cluster_link_up');
    logger.warn('slow');
    logger.error('failed', 'Error: at line 1');
    logger.error('failed again');
    expect(lines).toEqual([
      ['log', 'up event=cluster_link_up instance=node-7'],
      ['warn', 'slow instance=node-7'],
      ['error', 'failed instance=node-7', 'Error: at line 1'],
      ['error', 'failed again instance=node-7'],
    ]);
  });
});
