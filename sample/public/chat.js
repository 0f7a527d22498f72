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
// The SDK takes its session back after a lost connection (protocol 1.2): see reconnected().
const client = connect(url, { onReconnect: (info) => reconnected(info) });
// The rooms this page is in are remembered across reloads: a reloaded page joins them again
// and shows their latest messages (room history, protocol 1.2).
const ROOMS_KEY = `chat-rooms:${user ?? ''}`;
/** Messages of a room shown when the page joins it. */
const FIRST_SCREEN = 50;
const online = new Set();
/** The name each client connected as, and who is away (connection lost, session held). */
const names = new Map();
const away = new Set();
const rooms = new Set(JSON.parse(localStorage.getItem(ROOMS_KEY) ?? '[]'));
const saveRooms = () => localStorage.setItem(ROOMS_KEY, JSON.stringify([...rooms]));
/** The rooms catching up after the page came back as a new client (see reconnected()). */
const catchingUp = new Set();
/** Who is in each room this page joined: from the join's answer, then the room's notices. */
const members = new Map();
/** The log keeps this many lines; older ones are dropped. */
const MAX_LINES = 500;
let renderQueued = false;
let lostAt = null;

const short = (id) => (id === '' ? 'server' : id === client.id ? 'you' : id.slice(0, 8));
/** A client as the online list shows it: its name if it gave one, else its short ID. */
const label = (id) => (id === client.id ? 'you' : (names.get(id) ?? short(id)));

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function log(who, where, text, className) {
  const item = element('li', className ?? (who === 'you' ? 'mine' : ''));
  item.dataset.time = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (who !== null) item.append(element('span', 'who', who));
  if (where) item.append(element('span', 'where', where));
  item.append(document.createTextNode(text));
  const lines = $('log');
  lines.append(item);
  while (lines.childElementCount > MAX_LINES) lines.firstElementChild.remove();
  item.scrollIntoView({ block: 'end' });
}

/** Draws the lists once per frame, however many joins and leaves came in it. */
function render() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    draw();
  });
}

function draw() {
  $('online').replaceChildren(
    ...[...online].map((id) => {
      const item = element('li', away.has(id) ? 'away' : '', away.has(id) ? `${label(id)} (away)` : label(id));
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
      const who = [...(members.get(room) ?? [])];
      item.append(element('div', 'members', who.map(short).join(', ')));
      return item;
    }),
  );
  const target = $('target');
  const chosen = target.selectedOptions[0];
  target.replaceChildren(
    new Option('Everyone', 'all'),
    ...[...rooms].map((room) => new Option(`#${room}`, `room:${room}`)),
    ...[...online].filter((id) => id !== client.id).map((id) => new Option(`only ${short(id)}`, `to:${id}`)),
  );
  if (chosen === undefined) return;
  if ([...target.options].some((option) => option.value === chosen.value)) {
    target.value = chosen.value;
    return;
  }
  // The person or room chosen is gone: the choice stays, unusable, rather than falling
  // back to a wider audience than the one the writer meant.
  const gone = new Option(`${chosen.text.replace(/ \(gone\)$/, '')} (gone)`, chosen.value, true, true);
  gone.disabled = true;
  target.append(gone);
  target.value = chosen.value;
}

/** Asks who is online, with their names and who is away. */
async function refreshPeople() {
  const [who] = await client.request(WHO);
  online.clear();
  away.clear();
  for (const { id, name, away: isAway } of who.json().people) {
    online.add(id);
    if (name !== null) names.set(id, name);
    if (isAway) away.add(id);
  }
  render();
}

/** The first connection: who is online, and the rooms of this page with their latest messages. */
async function start() {
  await refreshPeople();
  for (const room of rooms) await enterRoom(room);
}

/** A new client after a reconnection: the rooms are joined again; the SDK then recovers what they missed. */
async function rejoin() {
  await refreshPeople();
  for (const room of rooms) await joinRoom(room);
  render();
}

/** Joins a room and shows its latest messages. */
async function enterRoom(room) {
  await joinRoom(room);
  render();
  await client.recover([room], { last: FIRST_SCREEN });
}

let peopleTimer = null;
/** Refreshes the online list soon, once for a burst of joins. */
function refreshPeopleSoon() {
  if (peopleTimer !== null) return;
  peopleTimer = setTimeout(() => {
    peopleTimer = null;
    refreshPeople().catch(() => undefined);
  }, 300);
}

/**
 * After a reconnection: a resumed session missed nothing and is still in its rooms; a new
 * client joins them again (the promise returned), and the SDK recovers what they missed.
 */
function reconnected({ resumed }) {
  const after = lostAt === null ? '' : ` after ${Math.round((Date.now() - lostAt) / 1000)} s`;
  lostAt = null;
  if (resumed) {
    log(null, '', `back${after}, same session: nothing cast meanwhile was missed`, 'notice outage');
    refreshPeople().catch((error) => log(null, '', `could not refresh: ${error.message}`, 'notice'));
    return;
  }
  log(null, '', `back${after}, as a new client: rooms catch up on what they missed; other messages cast while away were not received`, 'notice outage');
  for (const room of rooms) catchingUp.add(room);
  return rejoin().catch((error) => log(null, '', `could not rejoin: ${error.message}`, 'notice'));
}

client.onRecovered((room, recovered) => {
  if (!catchingUp.delete(room)) return;
  if (recovered) log(null, `#${room}`, 'caught up: every message sent while you were away is above', 'notice');
  else log(null, `#${room}`, 'some messages sent while you were away are no longer kept: the room shows only what came after', 'notice outage');
});

/** Joins a room; its answer lists who is there. */
async function joinRoom(room) {
  const [answer] = await client.request(JOIN_ROOM, { json: { room } });
  members.set(room, new Set(answer?.json().members ?? []));
}

async function leaveRoom(room) {
  rooms.delete(room);
  saveRooms();
  members.delete(room);
  render();
  await client.request(LEAVE_ROOM, { json: { room } }).catch(() => undefined);
}

client.onState((state) => {
  $('state').textContent = state;
  $('state').className = `state ${state}`;
  if (state === 'reconnecting' && lostAt === null) {
    lostAt = Date.now();
    log(null, '', 'connection lost: reconnecting; nothing sent until it is back is delivered', 'notice outage');
  }
  if (state !== 'open') return;
  $('me').textContent = `${user ? `${user} · ` : ''}${client.id.slice(0, 8)}`;
  // The first connection; later ones are handled by reconnected().
  if (lostAt === null && !started) {
    started = true;
    start().catch((error) => log(null, '', `could not start: ${error.message}`, 'notice'));
  }
});
let started = false;
client.onJoin((id) => {
  online.add(id);
  render();
  refreshPeopleSoon();
});
client.onLeave((id) => {
  online.delete(id);
  away.delete(id);
  names.delete(id);
  for (const people of members.values()) people.delete(id);
  render();
});
// Leaving the page ends the session at once (the others see the leave now, not when the
// session's grace period ends); a lost connection, not a left page, is what sessions bridge.
for (const leaving of ['beforeunload', 'pagehide']) addEventListener(leaving, () => client.close());
client.onError((error) => log(null, '', `error ${error.code}: ${error.message}`, 'notice'));

client.on(ECHO, (message) => log(short(message.senderId), '', message.text()));
client.on(DIRECT, (message) => log(short(message.senderId), 'to you', message.text()));
client.on(SAY, (message) => {
  const { from, text } = message.json();
  log(short(from), `#${message.rooms[0]}`, text);
});
client.on(EVENT, (message) => {
  if (!message.rooms) {
    // Someone's connection was lost (its session held for it), or it came back.
    const { event, clientId } = message.json();
    if (event === 'away') away.add(clientId);
    else if (event === 'back') away.delete(clientId);
    else return;
    render();
    log(null, '', `${label(clientId)} ${event === 'away' ? 'is away' : 'is back'}`, 'notice');
    return;
  }
  const { event, clientId, room } = message.json();
  const people = members.get(room);
  if (event === 'joined') people?.add(clientId);
  else people?.delete(clientId);
  render();
  log(null, `#${room}`, `${short(clientId)} ${event}`, 'notice');
});

$('send-form').onsubmit = (event) => {
  event.preventDefault();
  const text = $('text').value;
  const choice = $('target').selectedOptions[0];
  const target = choice?.value ?? 'all';
  if (text === '') return;
  if (choice?.disabled) {
    log(null, '', `not sent: ${choice.text} is no longer there; choose who to send to`, 'notice');
    return;
  }
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
    rooms.add(room);
    await enterRoom(room);
    saveRooms();
    $('room-name').value = '';
  } catch (error) {
    rooms.delete(room);
    render();
    log(null, '', `could not join #${room}: ${error.message}`, 'notice');
  }
};

$('text').onkeydown = (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    $('send-form').requestSubmit();
  }
};
