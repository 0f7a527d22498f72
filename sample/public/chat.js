// The chat page: the client SDK as it ships (an ES module served by the sample), no
// framework. HandlerIDs are those of sample/chat.handlers.ts and sample/room.handlers.ts.
import { connect } from '/client/index.js';

const ECHO = 1;
const WHO = 2;
const DIRECT = 4;
const JOIN_ROOM = 5;
const LEAVE_ROOM = 6;
const SAY = 7;
/** Responses of event handlers (here: room notices) carry HandlerID 0. */
const EVENT = 0;

const $ = (id) => document.getElementById(id);
const user = new URLSearchParams(location.search).get('user');
const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/${user ? `?user=${encodeURIComponent(user)}` : ''}`;
const client = connect(url);
const online = new Set();
const rooms = new Set();

const short = (id) => (id === '' ? 'server' : id === client.id ? 'you' : id.slice(0, 8));

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function log(who, where, text, className) {
  const item = element('li', className);
  if (who !== null) item.append(element('span', 'who', who));
  if (where) item.append(element('span', 'where', where));
  item.append(document.createTextNode(text));
  $('log').append(item);
  item.scrollIntoView({ block: 'end' });
}

function render() {
  $('online').replaceChildren(
    ...[...online].map((id) => {
      const item = element('li', '', short(id));
      item.dataset.id = id;
      return item;
    }),
  );
  $('rooms').replaceChildren(
    ...[...rooms].map((room) => {
      const item = element('li', '', `#${room}`);
      item.dataset.room = room;
      const leave = element('button', '', 'leave');
      leave.onclick = () => leaveRoom(room);
      item.append(leave);
      return item;
    }),
  );
  const target = $('target');
  const chosen = target.value;
  target.replaceChildren(
    new Option('Everyone', 'all'),
    ...[...rooms].map((room) => new Option(`#${room}`, `room:${room}`)),
    ...[...online].filter((id) => id !== client.id).map((id) => new Option(`only ${short(id)}`, `to:${id}`)),
  );
  if ([...target.options].some((option) => option.value === chosen)) target.value = chosen;
}

async function refresh() {
  const [who] = await client.request(WHO);
  online.clear();
  for (const id of who.json().clients) online.add(id);
  // Rooms are per connection: after a reconnection, join them again.
  for (const room of rooms) await client.request(JOIN_ROOM, { json: { room } });
  render();
}

async function leaveRoom(room) {
  rooms.delete(room);
  render();
  await client.request(LEAVE_ROOM, { json: { room } }).catch(() => undefined);
}

client.onState((state) => {
  $('state').textContent = state;
  $('state').className = `state ${state}`;
  if (state !== 'open') return;
  $('me').textContent = `${user ? `${user} · ` : ''}${client.id.slice(0, 8)}`;
  refresh().catch((error) => log(null, '', `could not refresh: ${error.message}`, 'notice'));
});
client.onJoin((id) => {
  online.add(id);
  render();
});
client.onLeave((id) => {
  online.delete(id);
  render();
});
client.onError((error) => log(null, '', `error ${error.code}: ${error.message}`, 'notice'));

client.on(ECHO, (message) => log(short(message.senderId), '', message.text()));
client.on(DIRECT, (message) => log(short(message.senderId), 'to you', message.text()));
client.on(SAY, (message) => {
  const { from, text } = message.json();
  log(short(from), `#${message.rooms[0]}`, text);
});
client.on(EVENT, (message) => {
  if (!message.rooms) return;
  const { event, clientId, room } = message.json();
  log(null, `#${room}`, `${short(clientId)} ${event}`, 'notice');
});

$('send-form').onsubmit = (event) => {
  event.preventDefault();
  const text = $('text').value;
  const target = $('target').value;
  if (text === '') return;
  try {
    if (target === 'all') client.send(ECHO, text);
    else if (target.startsWith('room:')) client.send(SAY, { json: { room: target.slice(5), text } });
    else {
      const to = target.slice(3);
      client.send(DIRECT, { json: { to: [to], text } });
      log('you', `to ${short(to)}`, text);
    }
    $('text').value = '';
  } catch (error) {
    log(null, '', `not sent: ${error.message}`, 'notice');
  }
};

$('join-form').onsubmit = async (event) => {
  event.preventDefault();
  const room = $('room-name').value.trim();
  if (room === '') return;
  try {
    await client.request(JOIN_ROOM, { json: { room } });
    rooms.add(room);
    $('room-name').value = '';
    render();
  } catch (error) {
    log(null, '', `could not join #${room}: ${error.message}`, 'notice');
  }
};

$('text').onkeydown = (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    $('send-form').requestSubmit();
  }
};
