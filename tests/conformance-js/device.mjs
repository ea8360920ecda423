#!/usr/bin/env node
// A Fleet tank device written from the published contract only: docs/protocol.md, protocol/asyncapi.yaml,
// protocol/schemas/*.json, and docs/ota.md, docs/security.md, docs/trust.md, docs/firmware.md for the update rules.
// It shares no code with the .NET agent. One run goes through a whole update:
//
//   provisioning -> trust -> connect -> status -> telemetry -> update offer (verified) -> chunked download
//   (every chunk checked against the signed manifest) -> payload check -> staged -> rebooting -> reconnect on the
//   new firmware -> status -> committed
//
// Usage: node device.mjs --root DIR [--offer-timeout SECONDS] [--corrupt-chunk INDEX | --corrupt-offer]
//   DIR/provisioning/   what 'fleet device provision SERIAL --output DIR/provisioning' wrote (device.crt,
//                       device.key 0600, ca.crt, hub.json, trust/root.json, trust/targets.json, trust/membership.json)
//   DIR/slots/a/        manifest.json (and manifest.sig) of the firmware the device runs now
//   DIR/slots/b/        where the downloaded payload, manifest.json and manifest.sig are written
//   --corrupt-chunk N   flip one byte of chunk N as it arrives (shows that the chunk check refuses it)
//   --corrupt-offer     flip one byte of the offered manifest as it arrives (shows that the signature check refuses it)
//
// Prints one line per step on stdout; any refusal is one line 'conformance device: …' on stderr and a non-zero exit:
// 1 bad usage or provisioning, 2 a verification refused the update, 3 the hub did not answer in time or the
// connection failed.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';

const EXIT_USAGE = 1;
const EXIT_REFUSED = 2;
const EXIT_HUB = 3;

class Refusal extends Error {
  constructor(code, name, message) {
    super(message);
    this.code = code;
    this.name = name;
  }
}

const fail = (code, name, message) => {
  throw new Refusal(code, name, message);
};
const step = (what, text) => console.log(`${what}: ${text}`);

// ---------------------------------------------------------------------------------------------------------------
// Arguments and provisioning

function parseArgs(argv) {
  const opts = { root: null, offerTimeout: 120, corruptChunk: null, corruptOffer: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(EXIT_USAGE, 'Usage', `${a} needs a value; usage: node device.mjs --root DIR [--offer-timeout SECONDS] [--corrupt-chunk INDEX | --corrupt-offer]`);
      return argv[++i];
    };
    if (a === '--root') opts.root = value();
    else if (a === '--offer-timeout') opts.offerTimeout = positiveInt(value(), a);
    else if (a === '--corrupt-chunk') opts.corruptChunk = nonNegativeInt(value(), a);
    else if (a === '--corrupt-offer') opts.corruptOffer = true;
    else fail(EXIT_USAGE, 'Usage', `unknown argument '${a}'; usage: node device.mjs --root DIR [--offer-timeout SECONDS] [--corrupt-chunk INDEX | --corrupt-offer]`);
  }
  if (!opts.root) fail(EXIT_USAGE, 'Usage', 'missing --root DIR (DIR/provisioning from fleet device provision, DIR/slots/a/manifest.json of the running firmware)');
  return opts;
}

function positiveInt(text, what) {
  const n = nonNegativeInt(text, what);
  if (n === 0) fail(EXIT_USAGE, 'Usage', `${what} must be at least 1, got '${text}'`);
  return n;
}

function nonNegativeInt(text, what) {
  if (!/^[0-9]{1,9}$/.test(text)) fail(EXIT_USAGE, 'Usage', `${what} must be a whole number, got '${text}'`);
  return Number(text);
}

function readFile(file, hint) {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    return fail(EXIT_USAGE, 'NotProvisioned', `cannot read ${file} (${e.code ?? e.message}); ${hint}`);
  }
}

function readJson(file, hint) {
  const bytes = readFile(file, hint);
  try {
    return { bytes, json: JSON.parse(bytes.toString('utf8')) };
  } catch (e) {
    return fail(EXIT_USAGE, 'NotProvisioned', `${file} is not JSON (${e.message}); ${hint}`);
  }
}

function loadProvisioning(root) {
  const dir = path.join(root, 'provisioning');
  const hint = `provision the device with 'fleet device provision SERIAL --product P --output ${dir}'`;
  const keyFile = path.join(dir, 'device.key');
  const key = readFile(keyFile, hint);
  // As the agent does: a device key that other users can read is not used at all.
  const mode = fs.statSync(keyFile).mode & 0o777;
  if (mode & 0o077) fail(EXIT_USAGE, 'NotProvisioned', `${keyFile} is accessible to other users (mode ${mode.toString(8)}); run 'chmod 600 ${keyFile}'`);
  const cert = readFile(path.join(dir, 'device.crt'), hint);
  const ca = readFile(path.join(dir, 'ca.crt'), hint);
  const hub = readJson(path.join(dir, 'hub.json'), hint).json;
  if (typeof hub.host !== 'string' || hub.host.length === 0 || !Number.isInteger(hub.port) || hub.port < 1 || hub.port > 65535) {
    fail(EXIT_USAGE, 'NotProvisioned', `${path.join(dir, 'hub.json')} needs a host and a port in 1..65535, e.g. {"host":"hub.example","port":8883}`);
  }
  // The serial is the certificate's CN (docs/protocol.md, Connection); it is also the MQTT client id.
  let serial;
  try {
    const subject = new crypto.X509Certificate(cert).subject;
    serial = subject.split('\n').map((l) => l.trim()).find((l) => l.startsWith('CN='))?.slice(3);
  } catch (e) {
    fail(EXIT_USAGE, 'NotProvisioned', `${path.join(dir, 'device.crt')} is not a certificate (${e.message}); ${hint}`);
  }
  if (!serial || /[/+#]/.test(serial)) fail(EXIT_USAGE, 'NotProvisioned', `${path.join(dir, 'device.crt')}: its CN must be the device serial (no '/', '+', '#')`);
  const membershipFile = path.join(dir, 'trust', 'membership.json');
  const membership = fs.existsSync(membershipFile) ? readJson(membershipFile, hint).json : { tags: [], groups: [] };
  return { dir, serial, key, cert, ca, hub, tags: stringList(membership.tags), groups: stringList(membership.groups) };
}

const stringList = (v) => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);

// ---------------------------------------------------------------------------------------------------------------
// Ed25519, canonical JSON and TUF metadata (docs/security.md, Trust metadata; TUF 1.0.31)

const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest();
const sha256Hex = (bytes) => sha256(bytes).toString('hex');

function ed25519Key(raw) {
  return crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

function ed25519Verify(raw, message, signature) {
  if (signature.length !== 64) return false;
  try {
    return crypto.verify(null, message, ed25519Key(raw), signature);
  } catch {
    return false;
  }
}

// Fleet's short key id, as manifest.sig names a key: the first 8 bytes of SHA-256 of the raw 32-byte key, in hex.
const fleetKeyId = (raw) => sha256(raw).subarray(0, 8).toString('hex');

// OLPC canonical JSON as TUF signs it: keys sorted by code unit, no whitespace, strings escaping only '"' and '\',
// integers only.
function canonical(value) {
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`canonical JSON allows integers only, got ${value}`);
    return String(value);
  }
  if (typeof value === 'string') return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${canonical(k)}:${canonical(value[k])}`).join(',')}}`;
}

function parseEnvelope(bytes, what, type) {
  let doc;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    fail(EXIT_REFUSED, 'Malformed', `${what} is not JSON (${e.message})`);
  }
  if (!doc || typeof doc !== 'object' || Object.keys(doc).some((k) => k !== 'signed' && k !== 'signatures')) {
    fail(EXIT_REFUSED, 'Malformed', `${what} must be {"signed":…,"signatures":[…]}`);
  }
  const { signed, signatures } = doc;
  if (!signed || typeof signed !== 'object' || !Array.isArray(signatures)) fail(EXIT_REFUSED, 'Malformed', `${what} needs signed and signatures`);
  if (signed._type !== type) fail(EXIT_REFUSED, 'Malformed', `${what} is of type '${signed._type}', expected '${type}'`);
  if (!Number.isSafeInteger(signed.version) || signed.version < 1) fail(EXIT_REFUSED, 'Malformed', `${what} has no valid version`);
  const expires = Date.parse(signed.expires);
  if (typeof signed.expires !== 'string' || Number.isNaN(expires)) fail(EXIT_REFUSED, 'Malformed', `${what} has no valid expiry`);
  let message;
  try {
    message = Buffer.from(canonical(signed), 'utf8');
  } catch (e) {
    fail(EXIT_REFUSED, 'Malformed', `${what}: ${e.message}`);
  }
  return { signed, signatures, message, expires, version: signed.version };
}

// A key table {keyid: {keytype, scheme, keyval:{public}}}; every id must be the key's real TUF id.
function parseKeys(table, what) {
  const keys = new Map();
  for (const [keyid, obj] of Object.entries(table ?? {})) {
    if (obj?.keytype !== 'ed25519' || obj?.scheme !== 'ed25519' || typeof obj?.keyval?.public !== 'string' || !/^[0-9a-f]{64}$/.test(obj.keyval.public)) {
      fail(EXIT_REFUSED, 'Malformed', `${what}: key ${keyid} is not an ed25519 key`);
    }
    const id = sha256Hex(Buffer.from(canonical({ keytype: 'ed25519', scheme: 'ed25519', keyval: { public: obj.keyval.public } }), 'utf8'));
    if (id !== keyid) fail(EXIT_REFUSED, 'Malformed', `${what}: the key listed as ${keyid} has the id ${id}`);
    keys.set(keyid, Buffer.from(obj.keyval.public, 'hex'));
  }
  return keys;
}

function role(obj, what) {
  if (!obj || !Array.isArray(obj.keyids) || !Number.isSafeInteger(obj.threshold) || obj.threshold < 1) fail(EXIT_REFUSED, 'Malformed', `${what} needs keyids and a threshold of at least 1`);
  return { keyids: [...new Set(obj.keyids)], threshold: obj.threshold };
}

// The distinct keys of ROLE whose signature over the canonical signed object verifies.
function signedBy(envelope, roleKeys, keys) {
  const valid = new Set();
  for (const keyid of roleKeys.keyids) {
    const raw = keys.get(keyid);
    if (!raw) continue;
    for (const s of envelope.signatures) {
      if (s?.keyid === keyid && typeof s.sig === 'string' && /^[0-9a-f]{128}$/.test(s.sig) && ed25519Verify(raw, envelope.message, Buffer.from(s.sig, 'hex'))) {
        valid.add(keyid);
        break;
      }
    }
  }
  return valid.size;
}

function parseRoot(bytes, what) {
  const env = parseEnvelope(bytes, what, 'root');
  const keys = parseKeys(env.signed.keys, what);
  const roles = env.signed.roles ?? {};
  return { ...env, keys, rootRole: role(roles.root, `${what} roles.root`), targetsRole: role(roles.targets, `${what} roles.targets`), product: env.signed['x-fleet-product'] };
}

function verifyInitialRoot(bytes, what) {
  const root = parseRoot(bytes, what);
  if (signedBy(root, root.rootRole, root.keys) < root.rootRole.threshold) fail(EXIT_REFUSED, 'BadSignature', `${what} is not signed by a threshold of its own root keys`);
  return root;
}

// The next root: exactly one version on, signed by a threshold of the trusted root's keys and of its own.
function verifyNextRoot(bytes, trusted, what) {
  const next = parseRoot(bytes, what);
  if (next.version !== trusted.version + 1) fail(EXIT_REFUSED, 'RootVersion', `${what} is v${next.version}; the device holds v${trusted.version}, so the next must be v${trusted.version + 1}`);
  if (signedBy(next, trusted.rootRole, trusted.keys) < trusted.rootRole.threshold) fail(EXIT_REFUSED, 'BadSignature', `${what} v${next.version} is not signed by a threshold of the root keys of v${trusted.version}`);
  if (signedBy(next, next.rootRole, next.keys) < next.rootRole.threshold) fail(EXIT_REFUSED, 'BadSignature', `${what} v${next.version} is not signed by a threshold of its own root keys`);
  if (next.product !== trusted.product) fail(EXIT_REFUSED, 'WrongProduct', `${what} v${next.version} is for product '${next.product}', not '${trusted.product}'`);
  return next;
}

// Targets signed by the root's targets keys, never older than the trusted ones, and the same version only with the
// same content. Its delegations: one role per firmware-signing scope.
function verifyTargets(bytes, root, trusted, now, what) {
  const t = parseEnvelope(bytes, what, 'targets');
  if (signedBy(t, root.targetsRole, root.keys) < root.targetsRole.threshold) fail(EXIT_REFUSED, 'BadSignature', `${what} is not signed by a threshold of the targets keys of root v${root.version}`);
  if (trusted && t.version < trusted.version) fail(EXIT_REFUSED, 'TargetsVersion', `${what} is v${t.version}, older than the v${trusted.version} the device holds`);
  if (trusted && t.version === trusted.version && !t.message.equals(trusted.message)) fail(EXIT_REFUSED, 'TargetsVersion', `${what} v${t.version} differs from the v${t.version} the device holds`);
  if (now !== null && t.expires <= now) fail(EXIT_REFUSED, 'Expired', `${what} v${t.version} expired at ${t.signed.expires}`);
  const delegations = t.signed.delegations ?? { keys: {}, roles: [] };
  const keys = parseKeys(delegations.keys, `${what} delegations`);
  const roles = (delegations.roles ?? []).map((r, i) => {
    const keyRole = role(r, `${what} delegations.roles[${i}]`);
    if (typeof r.name !== 'string' || !Array.isArray(r.paths) || r.paths.some((p) => typeof p !== 'string')) fail(EXIT_REFUSED, 'Malformed', `${what} delegations.roles[${i}] needs a name and paths`);
    return { name: r.name, ...keyRole, paths: r.paths };
  });
  return { ...t, delegationKeys: keys, roles };
}

// TUF path patterns: '*' and '?' never cross '/', so a pattern matches paths with as many segments as itself.
function pathMatches(pattern, target) {
  const p = pattern.split('/');
  const t = target.split('/');
  if (p.length !== t.length) return false;
  return p.every((seg, i) => new RegExp(`^${seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`).test(t[i]));
}

class Trust {
  constructor(root, targets, tags, groups) {
    Object.assign(this, { root, targets, tags, groups });
  }

  static load(dir, product, tags, groups) {
    const hint = `provision the device with 'fleet device provision' after 'fleet trust init' for product '${product}'`;
    const rootFile = path.join(dir, 'trust', 'root.json');
    const targetsFile = path.join(dir, 'trust', 'targets.json');
    const root = verifyInitialRoot(readFile(rootFile, hint), rootFile);
    if (root.product !== product) fail(EXIT_REFUSED, 'WrongProduct', `${rootFile} is for product '${root.product}', but the running firmware is '${product}'; provision the device for '${product}'`);
    const targets = verifyTargets(readFile(targetsFile, hint), root, null, null, targetsFile);
    return new Trust(root, targets, tags, groups);
  }

  // The trust command: every root version ascending (older ones skipped), the current targets, the device's groups.
  // Tags stay as provisioned: a tag scope rests on provisioning, never on what the hub says (docs/trust.md).
  update(args, now) {
    if (!Array.isArray(args?.rootsBase64) || args.rootsBase64.length === 0 || typeof args.targetsBase64 !== 'string') {
      fail(EXIT_REFUSED, 'Malformed', 'the trust command needs rootsBase64 (at least one) and targetsBase64');
    }
    let root = this.root;
    for (const [i, b64] of args.rootsBase64.entries()) {
      const bytes = Buffer.from(b64, 'base64');
      const peek = parseRoot(bytes, `trust command root ${i}`);
      if (peek.version <= root.version) continue;
      root = verifyNextRoot(bytes, root, `trust command root ${i}`);
    }
    if (root.expires <= now) fail(EXIT_REFUSED, 'Expired', `root v${root.version} expired at ${root.signed.expires}`);
    const rotated = canonical([...root.targetsRole.keyids].sort()) !== canonical([...this.root.targetsRole.keyids].sort());
    const targets = verifyTargets(Buffer.from(args.targetsBase64, 'base64'), root, rotated ? null : this.targets, now, 'trust command targets');
    return new Trust(root, targets, this.tags, stringList(args.groups));
  }

  // Which delegated role lets these signers ship PRODUCT-VERSION to this device (docs/security.md): a role whose
  // threshold the valid signers reach and whose paths match devices/SERIAL/NAME, groups/G/NAME (G one of the
  // device's groups) or tags/T/NAME.
  authorize(validSigners, product, version, serial, group, now) {
    if (this.root.expires <= now || this.targets.expires <= now) {
      fail(EXIT_REFUSED, 'Expired', `the trusted ${this.root.expires <= now ? `root v${this.root.version}` : `targets v${this.targets.version}`} has expired, so no firmware is trusted`);
    }
    const name = `${product}-${version}`.replaceAll('/', '_');
    const targetPaths = [`devices/${serial}/${name}`];
    if (group && this.groups.includes(group)) targetPaths.push(`groups/${group}/${name}`);
    for (const tag of this.tags) targetPaths.push(`tags/${tag}/${name}`);
    const known = [];
    for (const r of this.roles()) {
      const signers = r.keyids.filter((id) => validSigners.includes(fleetKeyId(this.targets.delegationKeys.get(id))));
      if (signers.length === 0) continue;
      if (signers.length >= r.threshold && targetPaths.some((p) => r.paths.some((pattern) => pathMatches(pattern, p)))) {
        return { role: r.name, signers: signers.map((id) => fleetKeyId(this.targets.delegationKeys.get(id))) };
      }
      known.push(`${r.name} (${r.paths.join(', ')})`);
    }
    if (known.length === 0) fail(EXIT_REFUSED, 'UnknownKey', `the manifest is signed by ${validSigners.join(', ') || 'no valid key'}, which targets v${this.targets.version} does not list`);
    return fail(EXIT_REFUSED, 'OutOfScope', `the signing key's scopes ${known.join('; ')} do not cover ${targetPaths.join(', ')}`);
  }

  roles() {
    return this.targets.roles.filter((r) => r.keyids.every((id) => this.targets.delegationKeys.has(id)));
  }

  // Every delegated key, by Fleet key id: the keys a manifest signature may be checked with.
  delegatedKeys() {
    return new Map([...this.targets.delegationKeys.values()].map((raw) => [fleetKeyId(raw), raw]));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Firmware manifests (docs/firmware.md, The bundle format) and SemVer precedence

function parseManifest(bytes, what) {
  let m;
  try {
    m = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    fail(EXIT_REFUSED, 'MalformedManifest', `${what} is not JSON (${e.message})`);
  }
  const name = /^[A-Za-z0-9._-]{1,64}$/;
  if (m?.format !== 1 || typeof m.uuid !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(m.uuid)) fail(EXIT_REFUSED, 'MalformedManifest', `${what} needs format 1 and a uuid`);
  for (const f of ['product', 'platform', 'architecture']) {
    if (typeof m[f] !== 'string' || !name.test(m[f])) fail(EXIT_REFUSED, 'MalformedManifest', `${what}: ${f} must be 1-64 of [A-Za-z0-9._-]`);
  }
  if (!parseSemVer(m.version)) fail(EXIT_REFUSED, 'InvalidVersion', `${what}: version '${m.version}' is not SemVer`);
  const p = m.payload;
  if (!p || !Number.isSafeInteger(p.size) || p.size < 0 || !/^[0-9a-f]{64}$/.test(p.sha256 ?? '') || !Array.isArray(p.chunks) || p.chunks.length === 0) {
    fail(EXIT_REFUSED, 'MalformedManifest', `${what}: payload needs size, sha256 and chunks`);
  }
  let offset = 0;
  for (const [i, c] of p.chunks.entries()) {
    if (!Number.isSafeInteger(c?.size) || c.size < 1 || c.size > 16 * 1024 * 1024 || !/^[0-9a-f]{64}$/.test(c.sha256 ?? '')) {
      fail(EXIT_REFUSED, 'MalformedManifest', `${what}: payload.chunks[${i}] needs a size of 1 byte to 16 MiB and a sha256`);
    }
    offset += c.size;
  }
  if (offset !== p.size) fail(EXIT_REFUSED, 'SizeMismatch', `${what}: the chunks add up to ${offset} bytes, the payload is ${p.size}`);
  return m;
}

function parseSemVer(v) {
  const r = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/.exec(typeof v === 'string' ? v : '');
  return r ? { core: [BigInt(r[1]), BigInt(r[2]), BigInt(r[3])], pre: r[4] ? r[4].split('.') : [] } : null;
}

// SemVer 2.0 precedence (build metadata ignored): negative, zero or positive.
function comparePrecedence(a, b) {
  const x = parseSemVer(a);
  const y = parseSemVer(b);
  for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return x.core[i] < y.core[i] ? -1 : 1;
  if (x.pre.length === 0 || y.pre.length === 0) return y.pre.length - x.pre.length;
  for (let i = 0; i < Math.min(x.pre.length, y.pre.length); i++) {
    const [p, q] = [x.pre[i], y.pre[i]];
    if (p === q) continue;
    const [pn, qn] = [/^\d+$/.test(p), /^\d+$/.test(q)];
    if (pn && qn) return BigInt(p) < BigInt(q) ? -1 : 1;
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return x.pre.length - y.pre.length;
}

// ---------------------------------------------------------------------------------------------------------------
// The device

const now = () => new Date();
const timestamp = () => now().toISOString();
const started = Date.now();

class Device {
  constructor(opts, prov, running, trust) {
    Object.assign(this, { opts, prov, running, trust });
    this.prefix = `fleet/v1/${prov.serial}/`;
    this.slot = 'a';
    this.sequence = 0;
    this.commands = [];
    this.waiters = [];
    this.download = null;
    this.fatal = null;
    this.offered = {};
  }

  firmwareOf(m) {
    return { uuid: m.uuid, version: m.version, product: m.product, platform: m.platform, architecture: m.architecture };
  }

  status(online) {
    return {
      online,
      uptimeSeconds: Math.floor((Date.now() - started) / 1000),
      timestamp: timestamp(),
      firmware: this.firmwareOf(this.running),
      activeSlot: this.slot,
      tankState: 'growing',
      trust: { root: this.trust.root.version, targets: this.trust.targets.version },
    };
  }

  async connect() {
    const { hub, serial, key, cert, ca } = this.prov;
    this.closing = false;
    const will = { topic: this.prefix + 'status', payload: Buffer.from(JSON.stringify({ online: false, uptimeSeconds: 0, timestamp: timestamp() })), qos: 1, retain: true };
    try {
      this.client = await mqtt.connectAsync(`mqtts://${hub.host}:${hub.port}`, {
        protocolVersion: 5,
        clientId: serial,
        clean: true,
        keepalive: 30,
        reconnectPeriod: 0,
        connectTimeout: 30_000,
        key,
        cert,
        // The hub is trusted only through ca.crt, never the system store; Node checks the subjectAltName against the
        // host dialled.
        ca,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
        will,
      });
    } catch (e) {
      fail(EXIT_HUB, 'ConnectFailed', `cannot connect to ${hub.host}:${hub.port} as ${serial} (${e.message}); check that the hub runs and the device is provisioned and not revoked`);
    }
    // Only this session's end counts: the one closed at 'rebooting' may report its close after the next began.
    const client = this.client;
    client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet));
    client.on('error', (e) => {
      if (client === this.client) this.die(new Refusal(EXIT_HUB, 'ConnectionLost', `the connection to the hub failed: ${e.message}`));
    });
    client.on('close', () => {
      if (client === this.client && !this.closing) this.die(new Refusal(EXIT_HUB, 'ConnectionLost', 'the hub closed the connection'));
    });
    const granted = await this.client.subscribeAsync({ [this.prefix + 'cmd']: { qos: 1 }, [this.prefix + 'fw/chunk/+']: { qos: 0 } });
    const refused = granted.filter((g) => g.qos > 2);
    if (refused.length > 0) fail(EXIT_HUB, 'SubscribeRefused', `the hub refused the subscription to ${refused.map((g) => g.topic).join(', ')}`);
    step('connect', `MQTT 5 over TLS to ${hub.host}:${hub.port} as ${serial}, hub certificate verified against ca.crt; subscribed to cmd (QoS 1) and fw/chunk/+ (QoS 0)`);
  }

  async disconnect(online) {
    await this.publish('status', this.status(online), { retain: true });
    this.closing = true;
    await this.client.endAsync(false, { reasonCode: 0 });
  }

  async publish(kind, message, { retain = false, properties } = {}) {
    const payload = JSON.stringify(message);
    try {
      await this.client.publishAsync(this.prefix + kind, payload, { qos: 1, retain, properties });
    } catch (e) {
      fail(EXIT_HUB, 'PublishRefused', `the hub refused the ${kind} message ${payload.slice(0, 200)}: ${e.message}`);
    }
  }

  async event(name, fields = {}) {
    await this.publish('events', { kind: 'update', name, ts: timestamp(), ...fields });
  }

  async telemetry(readings) {
    this.sequence += 1;
    const ts = timestamp();
    const batch = { sequence: this.sequence, readings: readings.map(([sensor, value, unit]) => ({ sensor, value, unit, ts })) };
    await this.publish('telemetry', batch);
    step('telemetry', `batch ${batch.sequence} with ${readings.length} readings acknowledged: ${readings.map(([s, v, u]) => `${s}=${v} ${u}`).join(', ')}`);
  }

  die(refusal) {
    if (this.fatal) return;
    this.fatal = refusal;
    for (const w of this.waiters.splice(0)) w.reject(refusal);
  }

  onMessage(topic, payload, packet) {
    if (this.fatal) return; // refused already: nothing more is taken in
    try {
      if (topic === this.prefix + 'cmd') this.onCommand(payload, packet.properties ?? {});
      else if (topic.startsWith(this.prefix + 'fw/chunk/')) this.onChunk(topic.slice((this.prefix + 'fw/chunk/').length), payload, packet.properties ?? {});
    } catch (e) {
      this.die(e instanceof Refusal ? e : new Refusal(EXIT_REFUSED, 'Error', e.message));
    }
  }

  // A command carries a response topic and 16 bytes of correlation data; the answer goes to that topic with the same
  // correlation data.
  onCommand(payload, props) {
    let command;
    try {
      command = JSON.parse(payload.toString('utf8'));
    } catch {
      command = null;
    }
    const correlation = props.correlationData;
    if (!props.responseTopic || !Buffer.isBuffer(correlation) || correlation.length !== 16) {
      step('command', `ignored a command without a response topic or 16 bytes of correlation data: ${payload.toString('utf8').slice(0, 120)}`);
      return;
    }
    this.commands.push({ command, responseTopic: props.responseTopic, correlation });
    this.wake();
  }

  async answer(c, response) {
    try {
      await this.client.publishAsync(c.responseTopic, JSON.stringify(response), { qos: 1, properties: { correlationData: c.correlation } });
    } catch (e) {
      fail(EXIT_HUB, 'PublishRefused', `the hub refused the answer to '${c.command?.name}': ${e.message}`);
    }
  }

  wake() {
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  // Resolves at the next command or chunk, or after MS; rejects when the connection died.
  async idle(ms) {
    if (this.fatal) throw this.fatal;
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push({ resolve: () => { clearTimeout(timer); resolve(); }, reject: (e) => { clearTimeout(timer); reject(e); } });
    });
    if (this.fatal) throw this.fatal;
  }

  // Handles commands until an update offer is accepted; returns it.
  async awaitOffer() {
    const deadline = Date.now() + this.opts.offerTimeout * 1000;
    step('offer', `waiting up to ${this.opts.offerTimeout} s for the hub's update command`);
    for (;;) {
      while (this.commands.length > 0) {
        const c = this.commands.shift();
        const offer = await this.handle(c);
        if (offer) return offer;
      }
      if (Date.now() >= deadline) fail(EXIT_HUB, 'NoOffer', `no update command arrived within ${this.opts.offerTimeout} s; create a deployment for this device's product, platform and architecture (fleet deployment create) or push one (POST /api/v1/devices/SERIAL/update)`);
      await this.idle(Math.min(1000, deadline - Date.now()));
    }
  }

  async handle(c) {
    const name = c.command?.name;
    if (name === 'trust') {
      try {
        this.trust = this.trust.update(c.command.args, now());
      } catch (e) {
        if (!(e instanceof Refusal)) throw e;
        step('trust', `refused the trust command: ${e.name}: ${e.message}`);
        await this.answer(c, { ok: false, error: e.name, detail: e.message.slice(0, 4096) });
        return null;
      }
      step('trust', `trust command verified: root v${this.trust.root.version}, targets v${this.trust.targets.version}, groups [${this.trust.groups.join(', ')}]`);
      await this.answer(c, { ok: true, detail: `root v${this.trust.root.version}, targets v${this.trust.targets.version}` });
      // The status says which versions the device holds now.
      await this.publish('status', this.status(true), { retain: true });
      return null;
    }
    if (name === 'update') {
      if (this.download) {
        await this.answer(c, { ok: false, error: 'Busy', detail: `an update to ${this.download.manifest.version} is under way` });
        return null;
      }
      let offer;
      try {
        offer = this.verifyOffer(c.command.args);
      } catch (e) {
        if (!(e instanceof Refusal)) throw e;
        await this.answer(c, { ok: false, error: e.name, detail: e.message.slice(0, 4096) });
        await this.event('failed', { ...this.offered, reason: `${e.name}: ${e.message}`.slice(0, 1024) });
        throw e;
      }
      await this.answer(c, { ok: true, detail: 'accepted' });
      return offer;
    }
    // Anything else this device does not do: answered, never left waiting.
    await this.answer(c, { ok: false, error: 'unknown_command', detail: `this conformance device carries out update and trust only, not '${name}'` });
    return null;
  }

  // Before a byte is downloaded: the signature over the exact manifest bytes by a key the trusted targets delegate to
  // a scope covering this device, the product, platform and architecture of the running firmware, and a version
  // above the running one (a lower one needs a downgrade permit, which this device does not take).
  verifyOffer(args) {
    if (typeof args?.manifestBase64 !== 'string' || typeof args.signatures !== 'string' || !Number.isSafeInteger(args.chunkCount) || args.chunkCount < 1) {
      fail(EXIT_REFUSED, 'invalid_args', 'the update command needs manifestBase64, signatures and chunkCount ≥ 1');
    }
    const manifestBytes = Buffer.from(args.manifestBase64, 'base64');
    if (this.opts.corruptOffer && manifestBytes.length > 0) {
      manifestBytes[manifestBytes.length - 1] ^= 0x01;
      step('test', 'flipped the last byte of the offered manifest as it arrived (--corrupt-offer)');
    }
    this.offered = {};
    // The signatures first: nothing in the manifest is believed before a trusted key vouches for its exact bytes.
    let signatures;
    try {
      signatures = JSON.parse(args.signatures);
    } catch {
      signatures = null;
    }
    if (!Array.isArray(signatures) || signatures.length === 0) fail(EXIT_REFUSED, 'Unsigned', 'the offer carries no signatures (manifest.sig must be a JSON array of {keyId, alg, sig})');
    const keys = this.trust.delegatedKeys();
    const valid = [];
    for (const s of signatures) {
      const raw = keys.get(s?.keyId);
      if (s?.alg !== 'ed25519' || !raw || typeof s.sig !== 'string') continue;
      if (ed25519Verify(raw, manifestBytes, Buffer.from(s.sig, 'base64'))) valid.push(s.keyId);
      else fail(EXIT_REFUSED, 'BadSignature', `the signature by ${s.keyId} does not verify over the offered manifest bytes; the manifest was changed after signing, or signed by another key under this id`);
    }
    if (valid.length === 0) {
      fail(EXIT_REFUSED, 'UnknownKey', `the manifest is signed by ${signatures.map((x) => x?.keyId).join(', ')}, none of them a key that targets v${this.trust.targets.version} delegates`);
    }
    const manifest = parseManifest(manifestBytes, 'the offered manifest');
    this.offered = { firmwareUuid: manifest.uuid, firmwareVersion: manifest.version };
    const who = this.trust.authorize(valid, manifest.product, manifest.version, this.prov.serial, args.group ?? null, now());
    for (const f of ['product', 'platform', 'architecture']) {
      if (manifest[f] !== this.running[f]) {
        const failure = { product: 'ProductMismatch', platform: 'PlatformMismatch', architecture: 'ArchitectureMismatch' }[f];
        fail(EXIT_REFUSED, failure, `the offered firmware is for ${f} '${manifest[f]}'; this device runs '${this.running[f]}'`);
      }
    }
    if (comparePrecedence(manifest.version, this.running.version) <= 0) {
      fail(EXIT_REFUSED, 'DowngradeRefused', `the offered version ${manifest.version} is not above the running ${this.running.version}`);
    }
    if (args.chunkCount !== manifest.payload.chunks.length) fail(EXIT_REFUSED, 'SizeMismatch', `the offer says ${args.chunkCount} chunks, the signed manifest ${manifest.payload.chunks.length}`);
    step('offer', `${manifest.product} ${manifest.version} (${manifest.uuid}) for ${manifest.platform}/${manifest.architecture}, ${manifest.payload.chunks.length} chunks, ${manifest.payload.size} bytes: signature by ${who.signers.join(', ')} verified, key trusted under scope '${who.role}' of targets v${this.trust.targets.version}`);
    return { manifest, manifestBytes, signatures: args.signatures };
  }

  // Up to WINDOW indexes in flight; each is asked again after 10 s; every chunk is checked against the manifest.
  async fetch(offer, window = 8, retryMs = 10_000) {
    const { manifest } = offer;
    const chunks = manifest.payload.chunks;
    const d = { manifest, held: new Array(chunks.length).fill(null), inFlight: new Map(), count: 0, requested: 0 };
    this.download = d;
    await this.event('received', { firmwareUuid: manifest.uuid, firmwareVersion: manifest.version, progress: 0 });
    let reported = 0;
    while (d.count < chunks.length) {
      while (this.commands.length > 0) await this.handle(this.commands.shift());
      const t = Date.now();
      // Asked again: in flight for RETRYMS without an answer. Asked first: the lowest missing indexes, up to WINDOW
      // in flight in all.
      const ask = [...d.inFlight].filter(([, at]) => t - at >= retryMs).map(([i]) => i);
      for (let i = 0, free = window - d.inFlight.size; i < chunks.length && free > 0; i++) {
        if (d.held[i] === null && !d.inFlight.has(i)) {
          ask.push(i);
          free -= 1;
        }
      }
      if (ask.length > 0) {
        for (const i of ask) d.inFlight.set(i, t);
        d.requested += ask.length;
        await this.publish('fw/req', { uuid: manifest.uuid, indexes: ask });
      }
      await this.idle(1000);
      const tenth = Math.floor((d.count * 10) / chunks.length);
      if (tenth > reported && d.count < chunks.length) {
        reported = tenth;
        await this.event('downloading', { firmwareUuid: manifest.uuid, firmwareVersion: manifest.version, progress: Math.round((d.count / chunks.length) * 1000) / 1000, detail: `${d.count}/${chunks.length}, ${d.requested} requested` });
      }
    }
    await this.event('downloading', { firmwareUuid: manifest.uuid, firmwareVersion: manifest.version, progress: 1, detail: `${d.count}/${chunks.length}, ${d.requested} requested` });
    step('download', `all ${chunks.length} chunks held, each matching its SHA-256 in the manifest (${d.requested} indexes requested)`);
    const payload = Buffer.concat(d.held);
    if (payload.length !== manifest.payload.size) fail(EXIT_REFUSED, 'SizeMismatch', `the payload is ${payload.length} bytes, the manifest says ${manifest.payload.size}`);
    const hash = sha256Hex(payload);
    if (hash !== manifest.payload.sha256) fail(EXIT_REFUSED, 'PayloadHashMismatch', `the payload's SHA-256 ${hash} is not the manifest's ${manifest.payload.sha256}`);
    step('payload', `${payload.length} bytes reassembled, SHA-256 ${hash} matches the manifest`);
    this.download = null;
    return payload;
  }

  onChunk(uuid, payload, props) {
    const d = this.download;
    if (!d || uuid !== d.manifest.uuid) return; // not the download under way
    let index = props.userProperties?.index;
    if (Array.isArray(index)) index = index[0];
    if (typeof index !== 'string' || !/^[0-9]+$/.test(index) || Number(index) >= d.held.length) {
      fail(EXIT_REFUSED, 'ChunkHashMismatch', `a chunk of ${uuid} arrived with the user property index '${index}', which names no chunk of the manifest (0..${d.held.length - 1})`);
    }
    const i = Number(index);
    if (d.held[i] !== null) return; // a repeat of a chunk asked for twice
    const bytes = Buffer.from(payload);
    if (this.opts.corruptChunk === i && bytes.length > 0) {
      bytes[0] ^= 0xff;
      step('test', `flipped the first byte of chunk ${i} as it arrived (--corrupt-chunk)`);
    }
    const expected = d.manifest.payload.chunks[i];
    if (bytes.length !== expected.size) {
      fail(EXIT_REFUSED, 'ChunkHashMismatch', `chunk ${i} of ${uuid} is ${bytes.length} bytes; the signed manifest says ${expected.size}; download refused`);
    }
    const hash = sha256Hex(bytes);
    if (hash !== expected.sha256) {
      fail(EXIT_REFUSED, 'ChunkHashMismatch', `chunk ${i} of ${uuid} has SHA-256 ${hash}; the signed manifest says ${expected.sha256}; download refused`);
    }
    d.held[i] = bytes;
    d.inFlight.delete(i);
    d.count += 1;
    step('chunk', `${i}: ${bytes.length} bytes, SHA-256 matches the manifest (${d.count}/${d.held.length})`);
    this.wake();
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const prov = loadProvisioning(opts.root);
  const slotA = path.join(opts.root, 'slots', 'a', 'manifest.json');
  const running = parseManifest(readFile(slotA, `install the running firmware's manifest there (unzip -j FIRMWARE.fwb manifest.json manifest.sig -d ${path.dirname(slotA)})`), slotA);
  step('provisioning', `device ${prov.serial} -> ${prov.hub.host}:${prov.hub.port}, running ${running.product} ${running.version} (${running.uuid}) for ${running.platform}/${running.architecture}`);
  const trust = Trust.load(prov.dir, running.product, prov.tags, prov.groups);
  step('trust', `provisioning/trust verified: root v${trust.root.version} (signed by its root keys), targets v${trust.targets.version} (signed by the targets keys), ${trust.targets.roles.length} signing scope(s): ${trust.targets.roles.map((r) => r.name).join(', ')}`);

  const device = new Device(opts, prov, running, trust);
  await device.connect();
  await device.publish('status', device.status(true), { retain: true });
  step('status', `online, ${running.version} in slot a, retained`);
  await device.telemetry([['water_temperature', 21.5, '°C'], ['ph', 6.8, 'pH'], ['turbidity', 12.25, 'NTU'], ['light', 310, 'lx']]);

  let offer;
  let payload;
  try {
    offer = await device.awaitOffer();
    try {
      payload = await device.fetch(offer);
    } catch (e) {
      if (e instanceof Refusal && e.code === EXIT_REFUSED) {
        // The hub's attempt fails with the reason (a refused offer was reported so in handle()).
        await device.event('failed', { firmwareUuid: offer.manifest.uuid, firmwareVersion: offer.manifest.version, reason: `${e.name}: ${e.message}`.slice(0, 1024) }).catch(() => {});
      }
      throw e;
    }
  } catch (e) {
    // A refusal leaves the device on its running firmware; it says so and goes offline cleanly.
    if (e instanceof Refusal && e.code === EXIT_REFUSED) await device.disconnect(false).catch(() => {});
    throw e;
  }
  const { manifest } = offer;
  const ids = { firmwareUuid: manifest.uuid, firmwareVersion: manifest.version };

  // Staged: the payload, its manifest and signatures in the inactive slot.
  const slotB = path.join(opts.root, 'slots', 'b');
  fs.mkdirSync(slotB, { recursive: true });
  fs.writeFileSync(path.join(slotB, 'payload'), payload);
  fs.writeFileSync(path.join(slotB, 'manifest.json'), offer.manifestBytes);
  fs.writeFileSync(path.join(slotB, 'manifest.sig'), offer.signatures);
  await device.event('staged', { ...ids, progress: 1 });
  step('staged', `payload, manifest.json and manifest.sig written to ${slotB}`);
  await device.event('rebooting', { ...ids, progress: 1, detail: 'starting slot b' });
  await device.disconnect(false);
  step('rebooting', 'offline status sent, disconnected; starting the new firmware');

  // The new firmware starts: a new session that reports it, then the commit.
  device.running = manifest;
  device.slot = 'b';
  await device.connect();
  await device.publish('status', device.status(true), { retain: true });
  step('status', `online, ${manifest.version} (${manifest.uuid}) in slot b, retained`);
  await device.telemetry([['water_temperature', 21.75, '°C'], ['ph', 6.9, 'pH']]);
  while (device.commands.length > 0) await device.handle(device.commands.shift());
  await device.event('committed', { ...ids, progress: 1 });
  step('committed', `${manifest.product} ${manifest.version} committed in slot b`);
  await device.disconnect(false);
  step('done', `offline status sent, disconnected; ${prov.serial} runs ${manifest.version}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    if (e instanceof Refusal) {
      console.error(`conformance device: ${e.name}: ${e.message}`);
      process.exit(e.code);
    }
    console.error(`conformance device: unexpected error: ${e?.stack ?? e}`);
    process.exit(EXIT_HUB);
  },
);
