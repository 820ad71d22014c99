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
# ---- fd and inode ops on files whose name is gone, renamed, or replaced ----------------------

def fd_ops(fd):
    """Every fd-based call on fd; the results that must match the plain directory."""
    r = []
    def one(name, fn):
        try:
            v = fn()
            r.append(f"{name}={v}" if v is not None else name)
        except OSError as e:
            r.append(f"{name}:{errno.errorcode.get(e.errno, e.errno)}")
    one("fstat", lambda: (os.fstat(fd).st_nlink, os.fstat(fd).st_size, oct(stat.S_IMODE(os.fstat(fd).st_mode))))
    one("fchmod", lambda: os.fchmod(fd, 0o640))
    one("mode", lambda: oct(stat.S_IMODE(os.fstat(fd).st_mode)))
    one("fchown", lambda: os.fchown(fd, 1234, 5678))
    one("owner", lambda: (os.fstat(fd).st_uid, os.fstat(fd).st_gid))
    one("futimens", lambda: os.utime(fd, ns=(3_000_000_007, 4_000_000_009)))
    one("times", lambda: (os.fstat(fd).st_atime_ns, os.fstat(fd).st_mtime_ns))
    one("fstatvfs", lambda: os.fstatvfs(fd).f_bsize > 0)
    one("fsetxattr", lambda: os.setxattr(fd, "user.u", b"unlinked"))
    one("fgetxattr", lambda: os.getxattr(fd, "user.u").decode())
    one("flistxattr", lambda: "user.u" in os.listxattr(fd))
    one("fremovexattr", lambda: os.removexattr(fd, "user.u"))
    one("pwrite", lambda: os.pwrite(fd, b"data", 1 << 20))
    one("seek-data", lambda: os.lseek(fd, 4096, os.SEEK_DATA))
    one("seek-hole", lambda: os.lseek(fd, 0, os.SEEK_HOLE))
    one("seek-end", lambda: os.lseek(fd, 0, os.SEEK_END))
    one("fallocate", lambda: os.posix_fallocate(fd, 0, 8192))
    one("ftruncate", lambda: os.ftruncate(fd, 100))
    one("pread", lambda: os.pread(fd, 5, 0))
    one("fsync", lambda: os.fsync(fd))
    one("fstat-end", lambda: (os.fstat(fd).st_nlink, os.fstat(fd).st_size))
    return " ".join(r)

def open_unlinked(keep_link):
    write("ul.txt", b"first bytes")
    if keep_link:
        os.link("ul.txt", "ul-link.txt")
    fd = os.open("ul.txt", os.O_RDWR)
    try:
        os.unlink("ul.txt")
        result = fd_ops(fd)
        if keep_link:
            st = os.stat("ul-link.txt")  # changes made through the fd, seen through the other name
            result += f" other-name={st.st_nlink},{st.st_size},{oct(stat.S_IMODE(st.st_mode))},{st.st_uid}"
            os.unlink("ul-link.txt")
        return result
    finally:
        os.close(fd)
step("open-unlinked", lambda: open_unlinked(False))
step("open-unlinked-other-link", lambda: open_unlinked(True))

def renamed_under_fd():
    os.mkdir("rd")
    write("rd/f", b"0123456789")
    fd = os.open("rd/f", os.O_RDWR)
    try:
        os.rename("rd/f", "rd/g")
        os.rename("rd", "rd2")
        result = fd_ops(fd)
        st = os.stat("rd2/g")
        return result + f" new-name={st.st_size},{oct(stat.S_IMODE(st.st_mode))}"
    finally:
        os.close(fd)
step("fd-ops-after-rename", renamed_under_fd)

def rename_over_open():
    write("victim", b"old content")
    write("winner", b"new content")
    fd = os.open("victim", os.O_RDONLY)
    try:
        os.rename("winner", "victim")
        return os.fstat(fd).st_nlink, os.pread(fd, 11, 0).decode(), read("victim"), os.path.exists("winner")
    finally:
        os.close(fd)
step("rename-over-open", rename_over_open)

def hardlink_fresh():
    """Attributes changed through one name are seen at once through the other (a cached inode
    per name would show stale values under attribute caching)."""
    write("h1", b"x")
    os.stat("h1")
    os.link("h1", "h2")
    seen = [os.stat("h1").st_nlink, os.stat("h2").st_nlink]
    os.chmod("h1", 0o604)
    seen.append(oct(stat.S_IMODE(os.stat("h2").st_mode)))
    os.chown("h2", 4321, 8765)
    seen.append((os.stat("h1").st_uid, os.stat("h1").st_gid))
    os.utime("h1", ns=(5_000_000_001, 6_000_000_002))
    seen.append(os.stat("h2").st_mtime_ns)
    write("h2", b"longer now", "ab")
    seen.append(os.stat("h1").st_size)
    os.rename("h1", "h3")
    seen.append(os.stat("h2").st_nlink)
    os.unlink("h3")
    seen.append(os.stat("h2").st_nlink)
    os.link("h2", "h4")
    seen.append((os.stat("h2").st_nlink, os.stat("h4").st_nlink))
    os.unlink("h4")
    os.unlink("h2")
    return seen
step("hardlink-freshness", hardlink_fresh)

def dir_after_rename():
    os.makedirs("top/mid")
    write("top/mid/leaf", b"leaf")
    os.stat("top/mid/leaf")
    os.rename("top", "top2")
    ok = read("top2/mid/leaf"), os.path.exists("top/mid/leaf")
    write("top2/mid/leaf2", b"x")
    return ok, sorted(os.listdir("top2/mid"))
step("dir-rename-descendants", dir_after_rename)

def exchange():
    write("ex1", b"one")
    write("ex2", b"two")
    fd = os.open("ex1", os.O_RDONLY)
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        RENAME_EXCHANGE = 2
        if libc.renameat2(-100, b"ex1", -100, b"ex2", RENAME_EXCHANGE) != 0:
            raise OSError(ctypes.get_errno(), "renameat2")
        return read("ex1"), read("ex2"), os.pread(fd, 3, 0).decode()
    finally:
        os.close(fd)
        os.unlink("ex1")
        os.unlink("ex2")
step("rename-exchange", exchange)

def as_user(fn):
    """Runs fn in a child that is user nobody (not root, in no group of the file's)."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            fn()
        except OSError as e:
            code = 10 + e.errno
        os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])

def suid_cleared(how):
    """A setuid/setgid file written, truncated or opened with O_TRUNC by an unprivileged user
    loses those bits, exactly as on the backing file system."""
    write("suid", b"#!/bin/sh\n")
    os.chmod("suid", 0o6777)
    if how == "write":
        code = as_user(lambda: write("suid", b"more\n", "ab"))
    elif how == "truncate":
        code = as_user(lambda: os.truncate("suid", 3))
    else:
        code = as_user(lambda: os.close(os.open("suid", os.O_WRONLY | os.O_TRUNC)))
    mode = oct(stat.S_IMODE(os.stat("suid").st_mode))
    os.unlink("suid")
    return code, mode
step("suid-write-by-user", lambda: suid_cleared("write"))
step("suid-truncate-by-user", lambda: suid_cleared("truncate"))
step("suid-open-trunc-by-user", lambda: suid_cleared("open-trunc"))

def chown_clears_suid():
    write("suid2", b"x")
    os.chmod("suid2", 0o6755)
    os.chown("suid2", 1000, 1000)
    mode = oct(stat.S_IMODE(os.stat("suid2").st_mode))
    os.unlink("suid2")
    return mode
step("suid-chown", chown_clears_suid)

print("\n".join(out))
