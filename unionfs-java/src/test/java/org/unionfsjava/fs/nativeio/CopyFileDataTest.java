package org.unionfsjava.fs.nativeio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.fs.nativeio.NativeBranchIoTest.assertErrno;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Random;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.Stat;

/** copyFileData: identical bytes, holes kept, mode 0600, and no partial target on failure. */
class CopyFileDataTest {

  private static final long MIB = 1 << 20;

  @TempDir Path dir;
  private final NativeBranchIo io = new NativeBranchIo();

  @Test
  void randomTenMebibytes_copyIsByteIdentical_withMode0600() throws Exception {
    byte[] data = new byte[(int) (10 * MIB) + 123];
    new Random(42).nextBytes(data);
    Path from = Files.write(dir.resolve("from"), data);
    Path to = dir.resolve("to");
    io.copyFileData(from, to, true);
    assertEquals(-1, Files.mismatch(from, to));
    assertEquals(0600, io.lstat(to).permissions());
    assertEquals(data.length, io.lstat(to).size());
  }

  @Test
  void sparseFile_64MiBWithOneBlockAtTheEnd_staysSparse() throws Exception {
    Path from = dir.resolve("sparse");
    byte[] block = new byte[4096];
    new Random(7).nextBytes(block);
    writeAt(from, block, 64 * MIB - 4096);
    Stat source = io.lstat(from);
    assertEquals(64 * MIB, source.size());
    assertTrue(source.blocks() <= 64, "the source itself is sparse: " + source.blocks());

    Path to = dir.resolve("copy");
    io.copyFileData(from, to, false);

    Stat copy = io.lstat(to);
    assertEquals(64 * MIB, copy.size());
    assertTrue(copy.blocks() <= 64, "blocks of the copy (512 B units): " + copy.blocks());
    assertArrayEquals(block, readAt(to, 64 * MIB - 4096, 4096));
    assertArrayEquals(new byte[4096], readAt(to, 0, 4096));
    assertEquals(-1, Files.mismatch(from, to));
  }

  @Test
  void trailingHole_isKeptBySize() throws Exception {
    Path from = dir.resolve("head");
    writeAt(from, new byte[] {1, 2, 3}, 0);
    io.truncate(from, 32 * MIB);
    Path to = dir.resolve("copy");
    io.copyFileData(from, to, false);
    Stat copy = io.lstat(to);
    assertEquals(32 * MIB, copy.size());
    assertTrue(copy.blocks() <= 64, "trailing hole not filled: " + copy.blocks());
    assertArrayEquals(new byte[] {1, 2, 3}, readAt(to, 0, 3));
  }

  @Test
  void userSpaceFallback_isByteIdentical_andKeepsHoles() throws Exception {
    byte[] data = new byte[(int) (3 * MIB) + 77]; // more than one 1 MiB bounce buffer
    new Random(3).nextBytes(data);
    Path from = Files.write(dir.resolve("from"), data);
    Path to = dir.resolve("to");
    FileCopier.copy(from, to, true, false);
    assertEquals(-1, Files.mismatch(from, to));
    assertEquals(0600, io.lstat(to).permissions());

    Path sparse = dir.resolve("sparse");
    writeAt(sparse, new byte[] {9}, 16 * MIB);
    FileCopier.copy(sparse, dir.resolve("sparse-copy"), false, false);
    Stat copy = io.lstat(dir.resolve("sparse-copy"));
    assertEquals(16 * MIB + 1, copy.size());
    assertTrue(copy.blocks() <= 64, "holes kept without copy_file_range: " + copy.blocks());
    assertEquals(-1, Files.mismatch(sparse, dir.resolve("sparse-copy")));
  }

  @Test
  void userSpaceFallback_failure_leavesNoTarget() throws Exception {
    Path source = Files.createDirectory(dir.resolve("dir"));
    Path to = dir.resolve("to");
    assertErrno(Errno.EISDIR, () -> FileCopier.copy(source, to, false, false));
    assertFalse(Files.exists(to, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void emptyFile_copiesToEmptyFile() throws Exception {
    Path from = Files.createFile(dir.resolve("empty"));
    io.copyFileData(from, dir.resolve("to"), true);
    assertEquals(0, io.lstat(dir.resolve("to")).size());
  }

  @Test
  void failureAfterCreatingTheTarget_leavesNoTarget() throws Exception {
    // A directory opens O_RDONLY but cannot be read: the copy fails after "to" was created.
    Path source = Files.createDirectory(dir.resolve("dir"));
    Path to = dir.resolve("to");
    assertErrno(Errno.EISDIR, () -> io.copyFileData(source, to, false));
    assertFalse(Files.exists(to, LinkOption.NOFOLLOW_LINKS), "no partial target");
  }

  @Test
  void missingOrSymlinkSource_fails_withoutTarget() throws Exception {
    Path to = dir.resolve("to");
    assertErrno(Errno.ENOENT, () -> io.copyFileData(dir.resolve("missing"), to, false));
    assertFalse(Files.exists(to, LinkOption.NOFOLLOW_LINKS));
    Files.writeString(dir.resolve("real"), "x");
    io.symlink("real", dir.resolve("link"));
    assertErrno(Errno.ELOOP, () -> io.copyFileData(dir.resolve("link"), to, false));
    assertFalse(Files.exists(to, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void existingTarget_isEexist_andLeftUntouched() throws Exception {
    Path from = Files.writeString(dir.resolve("from"), "new");
    Path to = Files.writeString(dir.resolve("to"), "old");
    assertErrno(Errno.EEXIST, () -> io.copyFileData(from, to, false));
    assertEquals("old", Files.readString(to));
  }

  private static void writeAt(Path file, byte[] bytes, long offset) throws Exception {
    int fd = NativeFile.open(file, NativeFile.O_WRONLY | NativeFile.O_CREAT, 0644);
    try {
      Pointer buf = Memory.allocateDirect(LinuxAbi.RUNTIME, bytes.length);
      buf.put(0, bytes, 0, bytes.length);
      assertEquals(bytes.length, NativeFile.pwrite(fd, buf, bytes.length, offset));
    } finally {
      NativeFile.close(fd);
    }
  }

  private static byte[] readAt(Path file, long offset, int length) throws Exception {
    int fd = NativeFile.open(file, NativeFile.O_RDONLY, 0);
    try {
      byte[] out = new byte[length];
      assertEquals(length, NativeFile.pread(fd, out, offset));
      return out;
    } finally {
      NativeFile.close(fd);
    }
  }
}
