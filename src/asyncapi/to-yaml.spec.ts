import { parse } from 'yaml';
import { toYaml } from './to-yaml';

describe('toYaml', () => {
  it('writes block YAML that reads back as the same data', () => {
    const data = {
      asyncapi: '3.0.0',
      info: { title: 'Chat: rooms & more', version: '1.0.0', description: 'Multi\nline "quoted"' },
      list: [1, 'two', true, null, { a: 1, b: [] }, [], {}, ['nested', { deep: 'yes' }]],
      empty: {},
      none: [],
      odd: ['true', 'null', '123', '', ' lead', 'trail ', '#x', '- dash', 'a: b', '$ref'],
      numbers: [0, -1.5, 1e21],
      '#/keys': { $ref: '#/components/schemas/X', 'with space': 1, '1': 'one' },
    };
    const yaml = toYaml(data);
    expect(parse(yaml)).toEqual(data);
    expect(yaml.startsWith('asyncapi: "3.0.0"\ninfo:\n  title: "Chat: rooms & more"\n')).toBe(true);
  });
});
