#!/usr/bin/env node
// An independent TUF client for Fleet's hub: tuf-js's Updater refreshes the top-level metadata (root chain,
// timestamp, snapshot, targets) of one product's repository, trusting only the given root.json, over HTTPS that
// trusts only the given CA. Prints one JSON line: {"ok":true,...versions} or {"ok":false,"error":{name,message}}.
//
//   node refresh.js --base-url https://hub:8443/tuf/PRODUCT --root trusted-root.json --ca ca.crt [--metadata-dir DIR]
//
// --root seeds a new metadata dir (a fresh temporary one without --metadata-dir); a dir from an earlier run keeps
// the metadata that run trusted, as a device's client would.
//
// Delegated roles are not fetched: refresh() walks top-level metadata only, and Fleet's scopes live in targets.json
// (the hub serves no per-scope role files). The exit code is 0 when the JSON line was printed, 2 on bad usage.
'use strict';

const fs = require('fs');
const https = require('https');
const os = require('os');
const path = require('path');
const { BaseFetcher, Updater } = require('tuf-js');
const { DownloadHTTPError } = require('tuf-js/dist/error');

function usage(message) {
  process.stderr.write(`refresh.js: ${message}\nusage: node refresh.js --base-url URL --root ROOT.json --ca CA.crt [--metadata-dir DIR]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (!['--base-url', '--root', '--ca', '--metadata-dir'].includes(name) || value === undefined) {
      usage(`unexpected argument '${name}'`);
    }
    args[name.slice(2)] = value;
  }
  for (const required of ['base-url', 'root', 'ca']) {
    if (!args[required]) {
      usage(`--${required} is required`);
    }
  }
  return args;
}

// HTTPS against the one CA given (the hub's own), with the host name checked; an HTTP error becomes tuf-js's
// DownloadHTTPError so a 404 for the next N.root.json ends the root walk as the specification says.
class CaFetcher extends BaseFetcher {
  constructor(ca) {
    super();
    this.agent = new https.Agent({ ca, keepAlive: false });
  }

  fetch(url) {
    return new Promise((resolve, reject) => {
      const request = https.get(url, { agent: this.agent, timeout: 30000 }, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new DownloadHTTPError(`GET ${url}: HTTP ${response.statusCode}`, response.statusCode));
          return;
        }
        resolve(response);
      });
      request.on('timeout', () => request.destroy(new Error(`GET ${url}: timed out`)));
      request.on('error', reject);
    });
  }
}

function version(dir, file) {
  const p = path.join(dir, file);
  return fs.existsSync(p) ? JSON.parse(fs.readFileSync(p, 'utf8')).signed.version : null;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const ownDir = !args['metadata-dir'];
  const metadataDir = args['metadata-dir'] || fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-tuf-js-'));
  fs.mkdirSync(metadataDir, { recursive: true });
  // The trusted root seeds a new metadata dir; a dir that already holds metadata from an earlier refresh keeps it,
  // so a second run updates from what the client trusted before (rollback and rotation checks included).
  if (!fs.existsSync(path.join(metadataDir, 'root.json'))) {
    fs.copyFileSync(args.root, path.join(metadataDir, 'root.json'));
  }
  const updater = new Updater({
    metadataDir,
    metadataBaseUrl: args['base-url'],
    fetcher: new CaFetcher(fs.readFileSync(args.ca)),
  });
  let result;
  try {
    await updater.refresh();
    // tuf-js persists each file only after it verified, so these are the versions the client now trusts.
    const targets = JSON.parse(fs.readFileSync(path.join(metadataDir, 'targets.json'), 'utf8')).signed;
    const delegations = targets.delegations || { keys: {}, roles: [] };
    result = {
      ok: true,
      tufJs: require('tuf-js/package.json').version,
      node: process.version,
      root: version(metadataDir, 'root.json'),
      timestamp: version(metadataDir, 'timestamp.json'),
      snapshot: version(metadataDir, 'snapshot.json'),
      targets: targets.version,
      delegations: delegations.roles.map((r) => ({ name: r.name, keyids: r.keyids, paths: r.paths })),
      delegationKeys: Object.keys(delegations.keys),
    };
  } catch (error) {
    result = {
      ok: false,
      tufJs: require('tuf-js/package.json').version,
      node: process.version,
      error: { name: (error && error.constructor && error.constructor.name) || 'Error', message: String(error && error.message) },
    };
  }
  if (ownDir) {
    fs.rmSync(metadataDir, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((error) => {
  process.stderr.write(`refresh.js: ${error && error.stack}\n`);
  process.exit(1);
});
