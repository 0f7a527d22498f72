import { CastType } from '../message';
import { EnvelopeSigner } from './envelope-signer';
import { decodeEnvelope, encodeEnvelope, type Envelope } from './envelope';

const node = '5b0e7c1e-0d0e-4f43-9a51-3f0c7b7c9a10';
const client = 'e68e76f0-7725-4f76-b9fb-bb4a72ca2121';

describe('cluster envelopes', () => {
  it.each<[string, Envelope]>([
    ['an All cast', { kind: 'cast', node, audience: { castType: CastType.All, senderId: client, targets: null }, handlerId: 1, body: '"aGk="' }],
    ['a server cast without a body', { kind: 'cast', node, audience: { castType: CastType.Others, senderId: '', targets: null }, handlerId: 0, body: 'null' }],
    ['an Exclusive cast', { kind: 'cast', node, audience: { castType: CastType.Exclusive, senderId: client, targets: [client] }, handlerId: 7, body: '"aGk="' }],
    ['a join', { kind: 'join', node, clientId: client, seq: 1 }],
    ['a leave', { kind: 'leave', node, clientId: client, seq: 2 ** 53 - 1 }],
    ['a beat', { kind: 'beat', node, version: 0, clients: 3, digest: 4_000_000_000, memberships: 2, roomDigest: 17 }],
    ['a Room cast', { kind: 'cast', node, audience: { castType: CastType.Room, senderId: client, targets: ['lobby', 'x'.repeat(200)] }, handlerId: 5, body: '"aGk="' }],
    ['a RoomOthers cast to no room', { kind: 'cast', node, audience: { castType: CastType.RoomOthers, senderId: '', targets: [] }, handlerId: 5, body: 'null' }],
    ['a room join', { kind: 'room', node, op: 'join', clientId: client, room: 'lobby', seq: 3 }],
    ['a room leave', { kind: 'room', node, op: 'leave', clientId: client, room: 'ünïcödé 🎉', seq: 4 }],
    ['a room request', { kind: 'room-request', node, op: 'join', clientId: client, room: 'user:42' }],
    ['a request for changes to everyone', { kind: 'sync-request', node, to: null, since: 0 }],
    ['a request for lists to one node', { kind: 'sync-request', node, to: 'other', since: null }],
    ['a sync', { kind: 'sync', node, version: 12, clientIds: [client], memberships: [[client, 'lobby']], presence: [], part: 0, parts: 1 }],
    ['a part of a split sync', { kind: 'sync', node, version: 12, clientIds: [], memberships: [[client, 'lobby']], presence: [], part: 2, parts: 3 }],
    [
      'a sync with presence states',
      { kind: 'sync', node, version: 3, clientIds: [client], memberships: [], presence: [[client, '{"info":{"name":"Ana"},"user":"user:ana","away":true}']], part: 0, parts: 1 },
    ],
    ['a presence change', { kind: 'presence', node, clientId: client, state: '{"info":null,"user":null,"away":false}', seq: 5 }],
    [
      'a run of changes',
      {
        kind: 'changes',
        node,
        since: 6,
        version: 11,
        changes: [['join', client], ['join-room', client, 'lobby'], ['presence', client, '{"info":[1,2],"user":null,"away":false}'], ['leave-room', client, 'lobby'], ['leave', client]],
      },
    ],
    ['a goodbye', { kind: 'bye', node }],
  ])('read back %s as written', (_, envelope) => {
    expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual(envelope);
  });

  it('ship a cast body as its JSON value after the header, unescaped', () => {
    const encoded = encodeEnvelope({ kind: 'cast', node, audience: { castType: CastType.All, senderId: client, targets: null }, handlerId: 1, body: '"aGk="' });
    expect(encoded.endsWith('\n"aGk="')).toBe(true);
  });

  // Messages anyone who can publish on the channel could send: each must be dropped,
  // never crash a node nor reach a client.
  it.each([
    ['empty', ''],
    ['not JSON', 'hello'],
    ['a JSON array', '[1]'],
    ['JSON null', 'null'],
    ['no kind', `{"node":"${node}"}`],
    ['an unknown kind (a newer version)', `{"kind":"rooms","node":"${node}"}`],
    ['a beat of an older version (no room digest)', '{"kind":"beat","node":"x","clients":3,"digest":0}'],
    ['a sync without memberships', '{"kind":"sync","node":"x","clientIds":[]}'],
    ['a sync whose membership is not a pair', '{"kind":"sync","node":"x","clientIds":["a"],"memberships":[["a"]]}'],
    ['a sync whose membership names an empty room', '{"kind":"sync","node":"x","clientIds":["a"],"memberships":[["a",""]]}'],
    ['a room change with an unknown op', '{"kind":"room","node":"x","op":"enter","clientId":"a","room":"r","seq":1}'],
    ['a room change with an empty room', '{"kind":"room","node":"x","op":"join","clientId":"a","room":"","seq":1}'],
    ['a room change with an overlong room', `{"kind":"room","node":"x","op":"join","clientId":"a","room":"${'r'.repeat(201)}","seq":1}`],
    ['a room request without a client', '{"kind":"room-request","node":"x","op":"join","room":"r"}'],
    ['a Room cast whose targets are null', `{"kind":"cast","node":"x","audience":{"castType":5,"senderId":"","targets":null},"handlerId":0}\nnull`],
    ['a Room cast naming a number', `{"kind":"cast","node":"x","audience":{"castType":5,"senderId":"","targets":[5]},"handlerId":0}\nnull`],
    ['a node that is not a string', '{"kind":"bye","node":5}'],
    ['a sync whose clientIds is a number', '{"kind":"sync","node":"x","clientIds":5}'],
    ['a sync whose clientIds is a string', '{"kind":"sync","node":"x","clientIds":"abcdef"}'],
    ['a sync listing a non-string', '{"kind":"sync","node":"x","clientIds":["a",1]}'],
    ['a join without a client ID', '{"kind":"join","node":"x","seq":1}'],
    ['a join with an object for a client ID', '{"kind":"join","node":"x","clientId":{},"seq":1}'],
    ['a join with an overlong client ID', `{"kind":"join","node":"x","clientId":"${'a'.repeat(65)}","seq":1}`],
    ['a beat with a text count', '{"kind":"beat","node":"x","version":0,"clients":"3","digest":0,"memberships":0,"roomDigest":0}'],
    ['a beat without a digest', '{"kind":"beat","node":"x","version":0,"clients":3,"memberships":0,"roomDigest":0}'],
    ['a sync request to a number', '{"kind":"sync-request","node":"x","to":3,"since":null}'],
    ['a sync request of an older version (no since)', '{"kind":"sync-request","node":"x","to":null}'],
    ['a sync request since a negative version', '{"kind":"sync-request","node":"x","to":null,"since":-1}'],
    ['a join of an older version (no number)', '{"kind":"join","node":"x","clientId":"a"}'],
    ['a join numbered 0', '{"kind":"join","node":"x","clientId":"a","seq":0}'],
    ['a leave with a fractional number', '{"kind":"leave","node":"x","clientId":"a","seq":1.5}'],
    ['a room change without a number', '{"kind":"room","node":"x","op":"join","clientId":"a","room":"r"}'],
    ['a beat without a version', '{"kind":"beat","node":"x","clients":3,"digest":0,"memberships":0,"roomDigest":0}'],
    ['a sync without a version', '{"kind":"sync","node":"x","clientIds":[],"memberships":[]}'],
    ['a sync part past its count', '{"kind":"sync","node":"x","version":1,"clientIds":[],"memberships":[],"part":3,"parts":3}'],
    ['a sync in too many parts', '{"kind":"sync","node":"x","version":1,"clientIds":[],"memberships":[],"part":0,"parts":100000}'],
    ['changes fewer than their span', '{"kind":"changes","node":"x","since":1,"version":3,"changes":[["join","a"]]}'],
    ['changes that end before they begin', '{"kind":"changes","node":"x","since":3,"version":3,"changes":[]}'],
    ['a change with an unknown op', '{"kind":"changes","node":"x","since":0,"version":1,"changes":[["enter","a"]]}'],
    ['a room change without its room', '{"kind":"changes","node":"x","since":0,"version":1,"changes":[["join-room","a"]]}'],
    ['a join with a room', '{"kind":"changes","node":"x","since":0,"version":1,"changes":[["join","a","r"]]}'],
    ['a cast without its audience', `{"kind":"cast","node":"x","handlerId":0}\nnull`],
    ['a cast whose audience is a list', `{"kind":"cast","node":"x","audience":[1,"",null],"handlerId":0}\nnull`],
    ['a cast header without its body', `{"kind":"cast","node":"x","audience":{"castType":1,"senderId":"","targets":null},"handlerId":0}`],
    ['a cast whose body is arbitrary text', `{"kind":"cast","node":"x","audience":{"castType":1,"senderId":"","targets":null},"handlerId":0}\n<script>`],
    ['a cast whose body is a whole frame', `{"kind":"cast","node":"x","audience":{"castType":1,"senderId":"","targets":null},"handlerId":0}\n{"SenderID":"x"}`],
    ['a cast whose body breaks out of its quotes', `{"kind":"cast","node":"x","audience":{"castType":1,"senderId":"","targets":null},"handlerId":0}\n"aGk=","X":"1"`],
    ['an Exclusive cast whose targets are not a list', `{"kind":"cast","node":"x","audience":{"castType":3,"senderId":"","targets":"abc"},"handlerId":0}\nnull`],
    ['an Exclusive cast whose targets are a number', `{"kind":"cast","node":"x","audience":{"castType":3,"senderId":"","targets":7},"handlerId":0}\nnull`],
    ['an All cast with targets', `{"kind":"cast","node":"x","audience":{"castType":1,"senderId":"","targets":["a"]},"handlerId":0}\nnull`],
    ['a Self cast', `{"kind":"cast","node":"x","audience":{"castType":2,"senderId":"a","targets":null},"handlerId":0}\nnull`],
    ['an unknown cast type', `{"kind":"cast","node":"x","audience":{"castType":7,"senderId":"a","targets":null},"handlerId":0}\nnull`],
    ['a fractional HandlerID', `{"kind":"cast","node":"x","castType":1,"senderId":"a","handlerId":1.5,"castFor":null}\nnull`],
    ['a sender ID that is not a string', `{"kind":"cast","node":"x","castType":1,"senderId":5,"handlerId":1,"castFor":null}\nnull`],
    ['a prototype-polluting header', '{"kind":"join","node":"x","__proto__":{"clientId":"a"}}'],
  ])('refuse %s', (_, message) => {
    expect(decodeEnvelope(message)).toBeNull();
  });
});

describe('EnvelopeSigner', () => {
  const signer = new EnvelopeSigner('a shared secret of the cluster');
  const message = encodeEnvelope({ kind: 'join', node, clientId: client, seq: 1 });

  it('signs the same message twice in the same millisecond as two different messages', () => {
    const [one, two] = [signer.sign(message, 1000), signer.sign(message, 1000)];
    expect(signer.open(one)?.mac).not.toBe(signer.open(two)?.mac);
  });

  it('opens what it signed', () => {
    expect(signer.open(signer.sign(message, 1_700_000_000_000))).toEqual({
      message,
      mac: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      signedAt: 1_700_000_000_000,
    });
  });

  it.each([
    ['an unsigned message', () => message],
    ['a message signed with another secret', () => new EnvelopeSigner('another secret, not ours').sign(message)],
    ['a signed message altered after signing', () => signer.sign(message).replace('join', 'bye!')],
    ['a signature of the wrong length', () => `abc.${message}`],
    ['a signed message whose signing time was changed', () => signer.sign(message, 1000).replace('.1000:', '.2000:')],
    ['a signed message without its stamp', () => signer.sign(message).replace(/\.\d+:\d+\./, '.')],
  ])('refuses %s', (_, make) => {
    expect(signer.open(make())).toBeNull();
  });
});
