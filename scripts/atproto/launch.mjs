// A throwaway AT Protocol network for tests: a PLC directory (in memory) and a PDS (SQLite
// files in DATA_DIR), both bound to 127.0.0.1 on free ports.
//
//   node launch.mjs DATA_DIR
//
// When both answer, writes DATA_DIR/pds.json ({pds, plc, adminPassword, pid}) and prints the
// PDS URL then the PLC URL on stdout. SIGTERM or SIGINT stops both.
// scripts/atproto-pds copies this file next to the installed node_modules and runs it.
import crypto from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'

import { PDS, envToCfg, envToSecrets } from '@atproto/pds'
import { Database as PlcDatabase, PlcServer } from '@did-plc/server'

const LOOPBACK = '127.0.0.1'

// Both servers call app.listen(port), which binds every interface: keep them on loopback.
const bindToLoopback = (app) => {
  const listen = app.listen.bind(app)
  app.listen = (port, ...rest) => listen(port, LOOPBACK, ...rest)
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, LOOPBACK, () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })

const main = async () => {
  const dataDir = path.resolve(process.argv[2] ?? '')
  if (!process.argv[2]) throw new Error('usage: node launch.mjs DATA_DIR')
  // The PLC directory lives in memory: the DIDs of an earlier run are gone, so start afresh.
  fs.rmSync(path.join(dataDir, 'pds'), { recursive: true, force: true })
  fs.mkdirSync(path.join(dataDir, 'pds', 'blobs'), { recursive: true })

  const plcPort = await freePort()
  const plc = PlcServer.create({ db: PlcDatabase.mock(), port: plcPort })
  bindToLoopback(plc.app)
  await plc.start()
  const plcUrl = `http://${LOOPBACK}:${plcPort}`

  const pdsPort = await freePort()
  const adminPassword = crypto.randomBytes(16).toString('hex')
  const env = {
    port: pdsPort,
    hostname: 'localhost',
    devMode: true,
    inviteRequired: false,
    serviceHandleDomains: ['.test'],
    didPlcUrl: plcUrl,
    dataDirectory: path.join(dataDir, 'pds'),
    blobstoreDiskLocation: path.join(dataDir, 'pds', 'blobs'),
    jwtSecret: crypto.randomBytes(32).toString('hex'),
    adminPassword,
    plcRotationKeyK256PrivateKeyHex: crypto.randomBytes(32).toString('hex'),
  }
  const pds = await PDS.create(envToCfg(env), envToSecrets(env))
  bindToLoopback(pds.app)
  await pds.start()
  const pdsUrl = `http://${LOOPBACK}:${pdsPort}`

  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await pds.destroy().catch(() => {})
    await plc.destroy().catch(() => {})
    process.exit(0)
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)

  const state = { pds: pdsUrl, plc: plcUrl, adminPassword, pid: process.pid }
  const statePath = path.join(dataDir, 'pds.json')
  fs.writeFileSync(`${statePath}.tmp`, JSON.stringify(state), { mode: 0o600 })
  fs.renameSync(`${statePath}.tmp`, statePath)
  process.stdout.write(`${pdsUrl}\n${plcUrl}\n`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
