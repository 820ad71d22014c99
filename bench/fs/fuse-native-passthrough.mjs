#!/usr/bin/env node
// Minimal passthrough on the stock fuse-native binding (libfuse 2, multithreaded loop): the
// JavaScript baseline the product's own N-API binding is compared against. Every handler
// forwards to the async node:fs API on the backing path or the fd returned by open/create.
//
//   node bench/fs/fuse-native-passthrough.mjs <backing-dir> <mountpoint> [cache-timeout-s]
//
// Prints "mounted <mountpoint>" once the mount is live; unmounts and exits on SIGTERM/SIGINT.
// Entry/attr timeouts as given (default: libfuse's 1 s), no kernel_cache. libfuse 2 has no
// big_writes unless asked and fuse-native cannot ask, so the kernel sends writes of <= 4 KiB.
// node:fs has no xattr calls: getxattr/listxattr answer "none", so the kernel still makes its
// security.capability check before every write, one round trip as with the other servers
// (without a getxattr handler the kernel would stop asking and writes would look cheaper).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Fuse = require('fuse-native');

const [backingArg, mountArg, cacheTimeoutArg] = process.argv.slice(2);
if (!backingArg || !mountArg) {
  process.stderr.write('usage: fuse-native-passthrough.mjs <backing-dir> <mountpoint>\n');
  process.exit(2);
}
const backing = fs.realpathSync(backingArg);
const mountpoint = path.resolve(mountArg);

const real = (p) => path.join(backing, p);
// fuse-native callbacks take a negative errno; node errors carry the code name.
const errno = (err) => (err && Fuse[err.code]) || Fuse.EIO;
const done = (cb) => (err) => cb(err ? errno(err) : 0);

const ops = {
  getattr: (p, cb) => fs.lstat(real(p), (err, st) => (err ? cb(errno(err)) : cb(0, st))),
  fgetattr: (_p, fd, cb) => fs.fstat(fd, (err, st) => (err ? cb(errno(err)) : cb(0, st))),
  access: (p, mode, cb) => fs.access(real(p), mode, done(cb)),
  statfs: (p, cb) =>
    fs.statfs(real(p), (err, s) =>
      err
        ? cb(errno(err))
        : cb(0, {
            bsize: s.bsize,
            frsize: s.bsize,
            blocks: s.blocks,
            bfree: s.bfree,
            bavail: s.bavail,
            files: s.files,
            ffree: s.ffree,
            favail: s.ffree,
            fsid: 0,
            flag: 0,
            namemax: 255,
          }),
    ),
  readdir: (p, cb) => fs.readdir(real(p), (err, names) => (err ? cb(errno(err)) : cb(0, names))),
  readlink: (p, cb) => fs.readlink(real(p), (err, target) => (err ? cb(errno(err)) : cb(0, target))),
  mkdir: (p, mode, cb) => fs.mkdir(real(p), { mode }, done(cb)),
  rmdir: (p, cb) => fs.rmdir(real(p), done(cb)),
  unlink: (p, cb) => fs.unlink(real(p), done(cb)),
  symlink: (target, p, cb) => fs.symlink(target, real(p), done(cb)),
  link: (from, to, cb) => fs.link(real(from), real(to), done(cb)),
  rename: (from, to, cb) => fs.rename(real(from), real(to), done(cb)),
  chmod: (p, mode, cb) => fs.chmod(real(p), mode, done(cb)),
  chown: (p, uid, gid, cb) => fs.lchown(real(p), uid, gid, done(cb)),
  truncate: (p, size, cb) => fs.truncate(real(p), size, done(cb)),
  ftruncate: (_p, fd, size, cb) => fs.ftruncate(fd, size, done(cb)),
  utimens: (p, atime, mtime, cb) => fs.lutimes(real(p), atime / 1000, mtime / 1000, done(cb)),
  open: (p, flags, cb) => fs.open(real(p), flags, (err, fd) => (err ? cb(errno(err)) : cb(0, fd))),
  create: (p, mode, cb) =>
    fs.open(real(p), fs.constants.O_CREAT | fs.constants.O_RDWR, mode, (err, fd) =>
      err ? cb(errno(err)) : cb(0, fd),
    ),
  read: (_p, fd, buf, len, pos, cb) =>
    fs.read(fd, buf, 0, len, pos, (err, n) => (err ? cb(errno(err)) : cb(n))),
  write: (_p, fd, buf, len, pos, cb) =>
    fs.write(fd, buf, 0, len, pos, (err, n) => (err ? cb(errno(err)) : cb(n))),
  flush: (_p, _fd, cb) => cb(0),
  fsync: (_p, _datasync, fd, cb) => fs.fsync(fd, done(cb)),
  release: (_p, fd, cb) => fs.close(fd, done(cb)),
  getxattr: (_p, _name, _position, cb) => cb(0, null),
  listxattr: (_p, cb) => cb(0, []),
};

const timeouts =
  cacheTimeoutArg === undefined
    ? {}
    : // fuse-native drops falsy values, so 0 travels as the string "0".
      { entryTimeout: String(Number(cacheTimeoutArg)), attrTimeout: String(Number(cacheTimeoutArg)) };
const fuse = new Fuse(mountpoint, ops, {
  allowOther: true,
  defaultPermissions: true,
  fsname: 'fuse-native',
  ...timeouts,
});

fuse.mount((err) => {
  if (err) {
    process.stderr.write(`fuse-native-passthrough: mount failed: ${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`mounted ${mountpoint}\n`);
});

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  fuse.unmount((err) => {
    if (err) process.stderr.write(`fuse-native-passthrough: unmount failed: ${err.message}\n`);
    process.exit(err ? 1 : 0);
  });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
