package org.unionfsjava.fs.nativeio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.fs.nativeio.NativeBranchIoTest.assertErrno;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.FileKind;
import org.unionfsjava.model.Stat;

/** The descriptor calls of NativeFile on a real file. */
class NativeFileTest {

  @TempDir Path dir;

  @Test
  void preadPwrite_throughNativeMemory() throws Exception {
    Path file = dir.resolve("data");
    int size = 128 * 1024;
    byte[] pattern = new byte[size];
    new Random(1).nextBytes(pattern);
    int fd = NativeFile.open(file, NativeFile.O_RDWR | NativeFile.O_CREAT | NativeFile.O_EXCL,
        0600);
    try {
      Pointer out = Memory.allocateDirect(LinuxAbi.RUNTIME, size);
      out.put(0, pattern, 0, size);
      assertEquals(size, NativeFile.pwrite(fd, out, size, 4096));
      NativeFile.fsync(fd, true);
      NativeFile.fsync(fd, false);

      Pointer in = Memory.allocateDirect(LinuxAbi.RUNTIME, size);
      assertEquals(size, NativeFile.pread(fd, in, size, 4096));
      byte[] back = new byte[size];
      in.get(0, back, 0, size);
      assertArrayEquals(pattern, back);

      assertEquals(4096, NativeFile.pread(fd, in, size, size), "short only at end of file");
      assertEquals(0, NativeFile.pread(fd, in, size, 10L * size), "0 past the end");

      Stat stat = NativeFile.fstat(fd);
      assertEquals(FileKind.REGULAR, stat.kind());
      assertEquals(4096 + size, stat.size());
      assertEquals(0600, stat.permissions());
    } finally {
      NativeFile.close(fd);
    }
    byte[] onDisk = Files.readAllBytes(file);
    assertEquals(0, onDisk[0]);
    assertEquals(pattern[77], onDisk[4096 + 77]);
  }

  @Test
  void ftruncate_and_fallocate() throws Exception {
    int fd = NativeFile.open(dir.resolve("f"), NativeFile.O_RDWR | NativeFile.O_CREAT, 0644);
    try {
      NativeFile.ftruncate(fd, 12345);
      assertEquals(12345, NativeFile.fstat(fd).size());
      long blocksBefore = NativeFile.fstat(fd).blocks();
      NativeFile.fallocate(fd, NativeFile.FALLOC_FL_KEEP_SIZE, 0, 1 << 20);
      Stat after = NativeFile.fstat(fd);
      assertEquals(12345, after.size(), "KEEP_SIZE");
      assertTrue(after.blocks() >= blocksBefore + 2048, "1 MiB allocated: " + after.blocks());
      NativeFile.fallocate(fd, NativeFile.FALLOC_FL_PUNCH_HOLE | NativeFile.FALLOC_FL_KEEP_SIZE,
          0, 1 << 20);
      assertTrue(NativeFile.fstat(fd).blocks() < after.blocks(), "hole punched");
      NativeFile.fallocate(fd, 0, 0, 2 << 20);
      assertEquals(2 << 20, NativeFile.fstat(fd).size(), "mode 0 extends");
    } finally {
      NativeFile.close(fd);
    }
  }

  @Test
  void open_errors() throws Exception {
    assertErrno(Errno.ENOENT, () -> NativeFile.open(dir.resolve("missing"), NativeFile.O_RDONLY, 0));
    Files.createFile(dir.resolve("f"));
    assertErrno(Errno.EEXIST, () -> NativeFile.open(dir.resolve("f"),
        NativeFile.O_WRONLY | NativeFile.O_CREAT | NativeFile.O_EXCL, 0644));
    assertErrno(Errno.EISDIR, () -> NativeFile.open(dir, NativeFile.O_WRONLY, 0));
    assertErrno(Errno.ENOTDIR, () -> NativeFile.open(dir.resolve("f"),
        NativeFile.O_RDONLY | NativeFile.O_DIRECTORY, 0));
    Files.createSymbolicLink(dir.resolve("l"), dir.resolve("f"));
    assertErrno(Errno.ELOOP, () -> NativeFile.open(dir.resolve("l"),
        NativeFile.O_RDONLY | NativeFile.O_NOFOLLOW, 0));
  }

  @Test
  void badDescriptor_isEbadf() {
    assertErrno(Errno.EBADF, () -> NativeFile.close(-1));
    assertErrno(Errno.EBADF, () -> NativeFile.fstat(-1));
    assertErrno(Errno.EBADF, () -> NativeFile.fsync(-1, false));
    Pointer buf = Memory.allocateDirect(LinuxAbi.RUNTIME, 16);
    assertErrno(Errno.EBADF, () -> NativeFile.pread(-1, buf, 16, 0));
    assertErrno(Errno.EBADF, () -> NativeFile.pwrite(-1, buf, 16, 0));
  }

  @Test
  void statvfs_describesTheFilesystem() throws Exception {
    NativeFile.FsStats stats = NativeFile.statvfs(dir);
    assertTrue(stats.bsize() > 0);
    assertTrue(stats.frsize() > 0);
    assertTrue(stats.blocks() > 0);
    assertTrue(stats.bfree() <= stats.blocks());
    assertTrue(stats.bavail() <= stats.bfree());
    assertTrue(stats.ffree() <= stats.files());
    assertEquals(255, stats.namemax());
    assertErrno(Errno.ENOENT, () -> NativeFile.statvfs(dir.resolve("missing")));
  }

  @Test
  void setUmask_returnsThePreviousMask_andApplies() throws Exception {
    int original = NativeFile.setUmask(027);
    try {
      int fd = NativeFile.open(dir.resolve("f"), NativeFile.O_WRONLY | NativeFile.O_CREAT, 0777);
      NativeFile.close(fd);
      assertEquals(0750, new NativeBranchIo().lstat(dir.resolve("f")).permissions());
      assertEquals(027, NativeFile.setUmask(original));
    } finally {
      NativeFile.setUmask(original);
    }
  }
}
