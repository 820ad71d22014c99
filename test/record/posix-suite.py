"""POSIX behaviour probe: runs file-system operations in the directory given as argv[1] and
prints one line per step (result or errno name). Run on a plain directory and on the mount;
the outputs must match."""
import errno, os, stat, sys

root = sys.argv[1]
os.chdir(root)
out = []

def step(name, fn):
    try:
        r = fn()
        out.append(f"{name}: ok {r if r is not None else ''}".rstrip())
    except OSError as e:
        out.append(f"{name}: {errno.errorcode.get(e.errno, e.errno)}")

def write(path, data, mode="wb"):
    with open(path, mode) as f:
        return f.write(data)

def read(path):
    with open(path, "rb") as f:
        return f.read().decode()

def mode_of(path):
    return oct(stat.S_IMODE(os.lstat(path).st_mode))

step("create", lambda: write("a.txt", b"hello world\n"))
step("read", lambda: read("a.txt"))
step("append", lambda: write("a.txt", b"more\n", "ab"))
step("size", lambda: os.stat("a.txt").st_size)
step("create-excl-existing", lambda: os.open("a.txt", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
step("open-missing", lambda: os.open("missing", os.O_RDONLY))
step("stat-missing", lambda: os.stat("nope/deeper"))
step("mkdir", lambda: os.mkdir("d", 0o750))
step("mkdir-mode", lambda: mode_of("d"))
step("mkdir-existing", lambda: os.mkdir("d"))
step("rename-into-dir", lambda: os.rename("a.txt", "d/b.txt"))
step("read-renamed", lambda: read("d/b.txt"))
step("rename-missing", lambda: os.rename("a.txt", "c.txt"))
step("rmdir-nonempty", lambda: os.rmdir("d"))
step("symlink", lambda: os.symlink("d/b.txt", "link"))
step("readlink", lambda: os.readlink("link"))
step("read-through-symlink", lambda: read("link"))
step("lstat-is-link", lambda: stat.S_ISLNK(os.lstat("link").st_mode))
step("hardlink", lambda: os.link("d/b.txt", "hard"))
step("nlink", lambda: os.stat("hard").st_nlink)
step("same-inode", lambda: os.stat("hard").st_ino == os.stat("d/b.txt").st_ino)
step("chmod", lambda: os.chmod("hard", 0o600))
step("chmod-seen", lambda: mode_of("d/b.txt"))
step("truncate-shrink", lambda: os.truncate("hard", 5))
step("truncate-read", lambda: read("d/b.txt"))
step("truncate-grow", lambda: os.truncate("hard", 4096))
step("grown-size", lambda: os.stat("hard").st_size)
step("utime", lambda: os.utime("hard", ns=(1_000_000_123, 2_000_000_456)))
step("mtime-ns", lambda: os.stat("hard").st_mtime_ns)
step("atime-ns", lambda: os.stat("hard").st_atime_ns)

def large_offset():
    fd = os.open("big.bin", os.O_CREAT | os.O_RDWR, 0o644)
    try:
        off = 5 * 1024**3 + 123  # beyond 4 GiB
        os.pwrite(fd, b"tail-bytes", off)
        size = os.fstat(fd).st_size
        return size, os.pread(fd, 10, off).decode(), os.pread(fd, 4, 4096) == b"\0\0\0\0"
    finally:
        os.close(fd)
step("large-offset", large_offset)
step("unlink-big", lambda: os.unlink("big.bin"))

def fsync_file():
    fd = os.open("s.txt", os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, b"x" * 10000)
    os.fsync(fd)
    os.fdatasync(fd)
    os.close(fd)
    return os.stat("s.txt").st_size
step("fsync", fsync_file)

def unlink_open():
    fd = os.open("tmp.txt", os.O_CREAT | os.O_RDWR, 0o644)
    os.write(fd, b"still here")
    os.unlink("tmp.txt")
    data = os.pread(fd, 10, 0)
    os.close(fd)
    return data.decode(), os.path.exists("tmp.txt")
step("unlink-while-open", unlink_open)

def xattrs():
    os.setxattr("s.txt", "user.k", b"v1")
    return os.getxattr("s.txt", "user.k").decode(), "user.k" in os.listxattr("s.txt")
step("xattr", xattrs)
step("xattr-missing", lambda: os.getxattr("s.txt", "user.none"))
step("xattr-remove", lambda: os.removexattr("s.txt", "user.k"))
step("rename-noreplace-exists", lambda: os.rename("s.txt", "hard") or os.path.exists("s.txt"))
step("listdir", lambda: sorted(os.listdir(".")))
step("listdir-sub", lambda: sorted(os.listdir("d")))
step("mkfifo", lambda: os.mkfifo("fifo", 0o640) or stat.S_ISFIFO(os.lstat("fifo").st_mode))
step("rmdir-missing", lambda: os.rmdir("nodir"))
step("unlink-dir", lambda: os.unlink("d"))
step("statvfs", lambda: os.statvfs(".").f_bsize > 0)

def many_files():
    os.mkdir("many")
    for i in range(300):
        write(f"many/f{i}", str(i).encode())
    total = sum(int(read(f"many/f{i}")) for i in range(300))
    for i in range(300):
        os.unlink(f"many/f{i}")
    os.rmdir("many")
    return total
step("many-files", many_files)
print("\n".join(out))
