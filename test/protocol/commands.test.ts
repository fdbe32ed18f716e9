import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorResponse, okResponse, parseCommandPayload, peekTransaction } from '../../protocol/commands.ts';
import { HashlingError } from '../../protocol/errors.ts';
import { commandFilters, commandTopic, parseCommandTopic, parseTarget } from '../../protocol/topics.ts';

const GROUPS = ['kitchen', 'rack-2'];

test('command topics map to a verb and a target; everything else is not a command', () => {
  const table: [string, ReturnType<typeof parseCommandTopic>][] = [
    ['h/pi-1/cmd/pause', { verb: 'pause', target: { kind: 'device', id: 'pi-1' } }],
    ['h/pi-1/cmd/budget/set', { verb: 'budget/set', target: { kind: 'device', id: 'pi-1' } }],
    ['h/group/kitchen/cmd/config/get', { verb: 'config/get', target: { kind: 'group', group: 'kitchen' } }],
    ['h/group/rack-2/cmd/ping', { verb: 'ping', target: { kind: 'group', group: 'rack-2' } }],
    ['h/all/cmd/resume', { verb: 'resume', target: { kind: 'all' } }],
    ['h/group/garage/cmd/ping', null],
    ['h/pi-2/cmd/pause', null],
    ['h/pi-1/cmd', null],
    ['h/pi-1/cmd/', null],
    ['h/pi-1/cmd//x', null],
    ['h/pi-1/res/pause', null],
    ['x/pi-1/cmd/pause', null],
    ['h/pi-1/work', null],
    ['h/group/kitchen/pause', null],
  ];
  for (const [topic, want] of table) assert.deepEqual(parseCommandTopic('h', 'pi-1', GROUPS, topic), want, topic);
});

test('a device subscribes to its own, its groups\' and the fleet\'s command topics', () => {
  assert.deepEqual(commandFilters('h', 'pi-1', GROUPS), ['h/pi-1/cmd/#', 'h/group/kitchen/cmd/#', 'h/group/rack-2/cmd/#', 'h/all/cmd/#']);
});

test('the fleet CLI and the agent agree on every command topic (one builder, one parser)', () => {
  for (const raw of ['pi-1', 'group:kitchen', 'all']) {
    const target = parseTarget(raw);
    const topic = commandTopic('h', target, 'budget/set');
    assert.deepEqual(parseCommandTopic('h', 'pi-1', GROUPS, topic), { verb: 'budget/set', target: target.kind === 'device' ? { kind: 'device', id: 'pi-1' } : target });
  }
  for (const bad of ['group:', 'a/b', 'group', 'coordinator', '']) assert.throws(() => parseTarget(bad), bad);
});

test('request payloads: arguments and transaction, or a coded error', () => {
  const ok: [string, object][] = [
    ['', { args: {} }],
    ['{"v":1}', { args: {} }],
    ['{"v":1,"transaction":"t-1","threads":2}', { transaction: 't-1', args: { threads: 2 } }],
    ['{"v":1,"transaction":{"n":5}}', { transaction: { n: 5 }, args: {} }],
  ];
  for (const [p, want] of ok) assert.deepEqual(parseCommandPayload(Buffer.from(p)), want, p);
  const bad: [string | Buffer, string][] = [
    ['{', 'E_BAD_JSON'],
    ['[1]', 'E_BAD_COMMAND'],
    ['"pause"', 'E_BAD_COMMAND'],
    ['null', 'E_BAD_COMMAND'],
    ['{}', 'E_BAD_VERSION'],
    ['{"v":2}', 'E_BAD_VERSION'],
    [Buffer.alloc(20_000, 0x20), 'E_TOO_LARGE'],
    ['{"v":1,"__proto__":{"polluted":true}}', 'E_FORBIDDEN_KEY'],
    ['{"v":1,"budget":{"constructor":{"prototype":{}}}}', 'E_FORBIDDEN_KEY'],
  ];
  for (const [p, code] of bad) {
    assert.throws(() => parseCommandPayload(Buffer.from(p)), (e: HashlingError) => e.code === code, String(p).slice(0, 20));
  }
});

test('the transaction of an otherwise invalid request is still echoed', () => {
  assert.equal(peekTransaction(Buffer.from('{"v":9,"transaction":42}')), 42);
  assert.equal(peekTransaction(Buffer.from('{oops')), undefined);
  assert.equal(peekTransaction(Buffer.from('')), undefined);
});

test('responses have the Zigbee2MQTT bridge/response shape', () => {
  assert.deepEqual(okResponse('d', { a: 1 }, 't'), { v: 1, status: 'ok', data: { a: 1 }, device: 'd', transaction: 't' });
  assert.deepEqual(okResponse('d', {}, undefined), { v: 1, status: 'ok', data: {}, device: 'd' });
  assert.deepEqual(errorResponse('d', new HashlingError('E_BAD_COMMAND', 'no'), 0, { problems: ['x'] }),
    { v: 1, status: 'error', data: { problems: ['x'] }, error: { code: 'E_BAD_COMMAND', message: 'no' }, device: 'd', transaction: 0 });
});
