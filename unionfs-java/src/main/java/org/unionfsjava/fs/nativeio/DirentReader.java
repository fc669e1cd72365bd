package org.unionfsjava.fs.nativeio;

import static org.unionfsjava.fs.nativeio.LinuxAbi.LIBC;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;
import org.unionfsjava.model.DirEntry;
import org.unionfsjava.model.FileKind;
import org.unionfsjava.model.UnionException;

/**
 * Lists a directory with getdents64(2) into a per-thread 32 KiB native buffer, keeping the d_type
 * and d_ino the kernel gives so that callers need no lstat per entry.
 *
 * <p>Record layout ({@code struct linux_dirent64}): d_ino u64 @0, d_off s64 @8, d_reclen u16 @16,
 * d_type u8 @18, d_name NUL-terminated @19, padded to 8 bytes. Each getdents64 result is copied
 * into a Java array once and parsed there, which is cheaper than one native read per field.
 */
final class DirentReader {

  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private static final VarHandle SHORT =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.nativeOrder());
  private static final FileKind[] KIND_OF_DTYPE = new FileKind[16];

  static {
    java.util.Arrays.fill(KIND_OF_DTYPE, FileKind.UNKNOWN);
    KIND_OF_DTYPE[LinuxAbi.DT_FIFO] = FileKind.FIFO;
    KIND_OF_DTYPE[LinuxAbi.DT_CHR] = FileKind.CHAR_DEVICE;
    KIND_OF_DTYPE[LinuxAbi.DT_DIR] = FileKind.DIRECTORY;
    KIND_OF_DTYPE[LinuxAbi.DT_BLK] = FileKind.BLOCK_DEVICE;
    KIND_OF_DTYPE[LinuxAbi.DT_REG] = FileKind.REGULAR;
    KIND_OF_DTYPE[LinuxAbi.DT_LNK] = FileKind.SYMLINK;
    KIND_OF_DTYPE[LinuxAbi.DT_SOCK] = FileKind.SOCKET;
  }

  private DirentReader() {}

  /** The entries of {@code dir} without "." and "..", in the order the filesystem gives them. */
  static List<DirEntry> list(Path dir) throws UnionException {
    int fd = NativeFile.openRaw(LongPaths.encode(dir),
        LinuxAbi.O_RDONLY | LinuxAbi.O_DIRECTORY | LinuxAbi.O_CLOEXEC, 0);
    if (fd < 0) {
      throw Errnos.exception(-fd, "open", dir.toString());
    }
    try {
      ThreadBuffers buffers = ThreadBuffers.get();
      Pointer buf = buffers.dirents();
      byte[] bytes = buffers.direntBytes();
      List<DirEntry> entries = new ArrayList<>();
      while (true) {
        long n = LIBC.getdents64(fd, buf, ThreadBuffers.DIRENT_BUFFER_SIZE);
        if (n < 0) {
          int errno = LinuxAbi.errno();
          if (errno == Errnos.EINTR) {
            continue;
          }
          throw Errnos.exception(errno, "getdents64", dir.toString());
        }
        if (n == 0) {
          return entries;
        }
        buf.get(0, bytes, 0, (int) n);
        parse(bytes, (int) n, entries);
      }
    } finally {
      LIBC.close(fd);
    }
  }

  /** Appends the entries of {@code length} bytes of linux_dirent64 records to {@code out}. */
  static void parse(byte[] bytes, int length, List<DirEntry> out) {
    int pos = 0;
    while (pos < length) {
      long ino = (long) LONG.get(bytes, pos);
      int reclen = Short.toUnsignedInt((short) SHORT.get(bytes, pos + 16));
      int type = bytes[pos + 18] & 0xff;
      int nameStart = pos + 19;
      int nameEnd = nameStart;
      int recordEnd = pos + reclen;
      while (nameEnd < recordEnd && bytes[nameEnd] != 0) {
        nameEnd++;
      }
      if (!isDotOrDotDot(bytes, nameStart, nameEnd - nameStart)) {
        String name = NativeNames.decode(bytes, nameStart, nameEnd - nameStart);
        FileKind kind = type < KIND_OF_DTYPE.length ? KIND_OF_DTYPE[type] : FileKind.UNKNOWN;
        out.add(new DirEntry(name, kind, ino));
      }
      if (reclen == 0) {
        break; // a corrupt record would loop forever
      }
      pos = recordEnd;
    }
  }

  private static boolean isDotOrDotDot(byte[] bytes, int start, int length) {
    return (length == 1 && bytes[start] == '.')
        || (length == 2 && bytes[start] == '.' && bytes[start + 1] == '.');
  }
}
