package org.unionfsjava.fs;

import java.nio.ByteBuffer;
import java.util.List;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import org.unionfsjava.fs.nativeio.NativeFile;
import org.unionfsjava.fs.nativeio.StatLayout;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.Caller;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.UnionException;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionPath;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The jnr-fuse adapter: each callback decodes its arguments, runs {@link UnionOps} inside the
 * {@link Barrier}, and encodes the result. No union logic lives here. Constructing it loads
 * libfuse2, so unit tests use {@link UnionOps} instead.
 *
 * <p>Read and write move bytes between the real file and FUSE's buffer with pread/pwrite on the
 * buffer's native pointer: no copy through the Java heap.
 */
final class UnionFuse extends FuseStubFS {
  private static final StatLayout STAT = StatLayout.host();
  private static final long UNSET_ID = 0xffffffffL;

  private final UnionOps ops;

  UnionFuse(UnionOps ops) {
    this.ops = ops;
    // libfuse2's flag bits (one unsigned int at flag_nullpath_ok): nullpath_ok (bit 0) lets I/O on
    // an open file whose name was removed go on by handle (with hard_remove); utime_omit_ok (bit 2)
    // passes UTIME_NOW/UTIME_OMIT through to utimensat unchanged.
    Struct.getMemory(fuseOperations).putByte(flagsOffset(), (byte) 0b101);
  }

  /** The offset of libfuse2's flag word; jnr's member class is not public, so ask it reflectively. */
  private long flagsOffset() {
    try {
      Object member = ru.serce.jnrfuse.struct.FuseOperations.class.getField("flag_nullpath_ok").get(fuseOperations);
      java.lang.reflect.Method offset = Class.forName("jnr.ffi.Struct$AbstractMember").getDeclaredMethod("offset");
      offset.setAccessible(true);
      return (Long) offset.invoke(member);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot find libfuse's flag bits in jnr-fuse's FuseOperations", e);
    }
  }

  private Caller caller() {
    FuseContext c = getContext();
    return new Caller((int) c.uid.get(), (int) c.gid.get());
  }

  private static void put(Stat st, FileStat out) {
    STAT.write(st, Struct.getMemory(out));
  }

  @Override
  public int getattr(String path, FileStat stat) {
    return Barrier.call("getattr", path, () -> {
      put(ops.getattr(UnionPath.of(path)), stat);
      return 0;
    });
  }

  @Override
  public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
    return Barrier.call("fgetattr", path, () -> {
      put(ops.fgetattr(fi.fh.get()), stat);
      return 0;
    });
  }

  @Override
  public int readlink(String path, Pointer buf, @size_t long size) {
    return Barrier.call("readlink", path, () -> Replies.linkTarget(ops.readlink(UnionPath.of(path)), buf, size));
  }

  @Override
  public int mknod(String path, long mode, long rdev) {
    return Barrier.call("mknod", path, () -> {
      ops.mknod(UnionPath.of(path), (int) mode, rdev, caller());
      return 0;
    });
  }

  @Override
  public int mkdir(String path, long mode) {
    return Barrier.call("mkdir", path, () -> {
      ops.mkdir(UnionPath.of(path), (int) mode, caller());
      return 0;
    });
  }

  @Override
  public int unlink(String path) {
    return Barrier.call("unlink", path, () -> {
      ops.unlink(UnionPath.of(path));
      return 0;
    });
  }

  @Override
  public int rmdir(String path) {
    return Barrier.call("rmdir", path, () -> {
      ops.rmdir(UnionPath.of(path));
      return 0;
    });
  }

  @Override
  public int symlink(String target, String linkPath) {
    return Barrier.call("symlink", linkPath, () -> {
      ops.symlink(target, UnionPath.of(linkPath), caller());
      return 0;
    });
  }

  /**
   * rename(2). libfuse2's rename has no flags (FUSE protocol 7.19, no RENAME2): the kernel answers
   * renameat2 with RENAME_NOREPLACE, RENAME_EXCHANGE or RENAME_WHITEOUT EINVAL without asking;
   * the libfuse 3 adapter ({@code UnionLowLevel}) supports NOREPLACE and EXCHANGE.
   */
  @Override
  public int rename(String from, String to) {
    return Barrier.call("rename", from, () -> {
      ops.rename(UnionPath.of(from), UnionPath.of(to));
      return 0;
    });
  }

  @Override
  public int link(String from, String to) {
    return Barrier.call("link", from, () -> {
      ops.link(UnionPath.of(from), UnionPath.of(to));
      return 0;
    });
  }

  @Override
  public int chmod(String path, long mode) {
    return Barrier.call("chmod", path, () -> {
      ops.chmod(UnionPath.of(path), (int) mode);
      return 0;
    });
  }

  @Override
  public int chown(String path, long uid, long gid) {
    return Barrier.call("chown", path, () -> {
      ops.chown(UnionPath.of(path), uid == UNSET_ID ? -1 : (int) uid, gid == UNSET_ID ? -1 : (int) gid);
      return 0;
    });
  }

  @Override
  public int truncate(String path, long size) {
    return Barrier.call("truncate", path, () -> {
      ops.truncate(UnionPath.of(path), size);
      return 0;
    });
  }

  @Override
  public int open(String path, FuseFileInfo fi) {
    return Barrier.call("open", path, () -> {
      fi.fh.set(ops.open(UnionPath.of(path), fi.flags.get()));
      return 0;
    });
  }

  @Override
  public int create(String path, long mode, FuseFileInfo fi) {
    return Barrier.call("create", path, () -> {
      fi.fh.set(ops.create(UnionPath.of(path), (int) mode, fi.flags.get(), caller()));
      return 0;
    });
  }

  @Override
  public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
    return Barrier.call("read", path, () -> Replies.read(ops, fi.fh.get(), buf, size, offset));
  }

  @Override
  public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
    return Barrier.call("write", path, () -> NativeFile.pwrite(ops.file(fi.fh.get()).fd(), buf, size, offset));
  }

  @Override
  public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
    return Barrier.call("ftruncate", path, () -> {
      NativeFile.ftruncate(ops.file(fi.fh.get()).fd(), size);
      return 0;
    });
  }

  @Override
  public int statfs(String path, Statvfs out) {
    return Barrier.call("statfs", path, () -> {
      NativeFile.FsStats s = ops.statfs();
      out.f_bsize.set(s.bsize());
      out.f_frsize.set(s.frsize());
      out.f_blocks.set(s.blocks());
      out.f_bfree.set(s.bfree());
      out.f_bavail.set(s.bavail());
      out.f_files.set(s.files());
      out.f_ffree.set(s.ffree());
      out.f_favail.set(s.ffree());
      out.f_namemax.set(s.namemax());
      return 0;
    });
  }

  // No flush callback: nothing is buffered in the daemon and locks are the kernel's, so a FLUSH
  // (sent on every close(2), the caller waiting for the answer) has nothing to do. libfuse then
  // answers ENOSYS and the kernel stops sending it: one round trip less per close.

  @Override
  public int release(String path, FuseFileInfo fi) {
    return Barrier.call("release", path, () -> {
      ops.release(fi.fh.get());
      return 0;
    });
  }

  @Override
  public int fsync(String path, int isdatasync, FuseFileInfo fi) {
    return Barrier.call("fsync", path, () -> {
      NativeFile.fsync(ops.file(fi.fh.get()).fd(), isdatasync != 0);
      return 0;
    });
  }

  @Override
  public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
    return Barrier.call("setxattr", path, () -> {
      byte[] v = new byte[(int) size];
      value.get(0, v, 0, v.length);
      ops.setxattr(UnionPath.of(path), name, v, flags);
      return 0;
    });
  }

  @Override
  public int getxattr(String path, String name, Pointer value, @size_t long size) {
    return Barrier.call("getxattr", path, () -> Replies.copyOut(ops.getxattr(UnionPath.of(path), name), value, size));
  }

  @Override
  public int listxattr(String path, Pointer list, @size_t long size) {
    return Barrier.call("listxattr", path, () -> Replies.nameList(ops.listxattr(UnionPath.of(path)), list, size));
  }

  @Override
  public int removexattr(String path, String name) {
    return Barrier.call("removexattr", path, () -> {
      ops.removexattr(UnionPath.of(path), name);
      return 0;
    });
  }

  @Override
  public int opendir(String path, FuseFileInfo fi) {
    return Barrier.call("opendir", path, () -> {
      fi.fh.set(ops.opendir(UnionPath.of(path)));
      return 0;
    });
  }

  @Override
  public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
    return Barrier.call("readdir", path, () -> {
      List<DirHandle.Entry> entries = ops.readdir(fi.fh.get(), offset);
      jnr.ffi.Pointer st = jnr.ffi.Memory.allocate(jnr.ffi.Runtime.getSystemRuntime(), STAT.size());
      for (int i = (int) offset; i < entries.size(); i++) {
        DirHandle.Entry e = entries.get(i);
        STAT.write(new Stat(0, e.ino(), e.typeBits(), 1, 0, 0, 0, 0, 0, 0, 0, 0, 0), st);
        byte[] name = org.unionfsjava.model.NameCharset.bytes(e.name());
        byte[] cName = java.util.Arrays.copyOf(name, name.length + 1);
        if (filler.apply(buf, ByteBuffer.wrap(cName), st, i + 1) != 0) {
          break;
        }
      }
      return 0;
    });
  }

  @Override
  public int releasedir(String path, FuseFileInfo fi) {
    return Barrier.call("releasedir", path, () -> {
      ops.releasedir(fi.fh.get());
      return 0;
    });
  }

  @Override
  public int access(String path, int mask) {
    return Barrier.call("access", path, () -> {
      ops.access(UnionPath.of(path));
      return 0;
    });
  }

  @Override
  public int utimens(String path, Timespec[] timespec) {
    return Barrier.call("utimens", path, () -> {
      ops.utimens(UnionPath.of(path), nanos(timespec[0]), nanos(timespec[1]));
      return 0;
    });
  }

  private static long nanos(Timespec t) {
    long nsec = t.tv_nsec.longValue();
    if (nsec == BranchIo.UTIME_NOW || nsec == BranchIo.UTIME_OMIT) {
      return nsec;
    }
    return t.tv_sec.get() * 1_000_000_000L + nsec;
  }

  // No lock and no flock callback: the kernel then keeps POSIX and flock locks itself, as it does
  // for kernel overlayfs. libfuse's loop is single-threaded (-s, see UnionMount), so a lock
  // request that waited in the daemon would stop every other request, the holder's unlock too.

  @Override
  public int fallocate(String path, int mode, @off_t long off, @off_t long length, FuseFileInfo fi) {
    return Barrier.call("fallocate", path, () -> {
      NativeFile.fallocate(ops.file(fi.fh.get()).fd(), mode, off, length);
      return 0;
    });
  }

  @Override
  public void destroy(Pointer initResult) {
    ops.table().closeAll();
  }
}
