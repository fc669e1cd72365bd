package org.unionfsjava.fs.nativeio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.BranchIo.RenameMode;
import org.unionfsjava.model.DirEntry;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.FileKind;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionException;

/** Every BranchIo method of NativeBranchIo on a real directory (ext4 /tmp here), with errors. */
class NativeBranchIoTest {

  private static int savedUmask;

  @TempDir Path dir;
  private final NativeBranchIo io = new NativeBranchIo();

  @BeforeAll
  static void umaskZero() {
    savedUmask = NativeFile.setUmask(0); // as the daemon runs: modes are exact
  }

  @AfterAll
  static void restoreUmask() {
    NativeFile.setUmask(savedUmask);
  }

  static void assertErrno(Errno expected, Executable call) {
    UnionException e = assertThrows(UnionException.class, call);
    assertEquals(expected, e.errno(), e.getMessage());
  }

  static boolean isRoot() {
    return NativeFile.geteuid() == 0;
  }

  // ---- lstat

  @Test
  void pathsLongerThanPathMax_work_andTheirDescriptorsAreReleased() throws Exception {
    Path deep = dir;
    java.util.ArrayDeque<Path> made = new java.util.ArrayDeque<>();
    while (deep.toString().length() < 5000) {
      deep = deep.resolve("d".repeat(200));
      io.mkdir(deep, 0755);
      made.push(deep);
    }
    assertTrue(NativeNames.encode(deep).length > LongPaths.PATH_MAX);
    Path f = deep.resolve("f");
    io.writeNewFile(f, "deep".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0644);
    assertArrayEquals("deep".getBytes(java.nio.charset.StandardCharsets.US_ASCII), io.readSmallFile(f, 100));
    assertEquals(4, io.lstat(f).size());
    assertEquals(List.of("f"), io.list(deep).stream().map(e -> e.name()).toList());
    io.rename(f, deep.resolve("g"), org.unionfsjava.model.BranchIo.RenameMode.NOREPLACE);
    io.setXattr(deep.resolve("g"), "user.k", new byte[] {1}, 0);
    assertArrayEquals(new byte[] {1}, io.getXattr(deep.resolve("g"), "user.k"));
    io.symlink("g", deep.resolve("s"));
    assertEquals("g", io.readlink(deep.resolve("s")));
    assertNull(io.lstat(deep.resolve("missing/deeper/still").resolve("x".repeat(200)).resolve("y".repeat(200))
        .resolve("z".repeat(200))));
    assertTrue(LongPaths.heldCount() > 0, "descriptors are held until the request ends");
    LongPaths.releaseHeld();
    assertEquals(0, LongPaths.heldCount());
    io.unlink(deep.resolve("s"));
    io.unlink(deep.resolve("g"));
    for (Path p : made) { // deepest first; @TempDir's clean-up cannot reach past PATH_MAX
      io.rmdir(p);
    }
    assertNull(io.lstat(deep));
    LongPaths.releaseHeld();
  }

  @Test
  void writeNewFile_readSmallFile_roundTrip_exclusive_modeExact_symlinkNotFollowed() throws Exception {
    Path f = dir.resolve("record");
    byte[] data = new byte[70000];
    new java.util.Random(7).nextBytes(data);
    int old = NativeFile.setUmask(022);
    try {
      io.writeNewFile(f, data, 0664);
    } finally {
      NativeFile.setUmask(old);
    }
    assertArrayEquals(data, io.readSmallFile(f, 100000));
    assertArrayEquals(java.util.Arrays.copyOf(data, 10), io.readSmallFile(f, 10));
    assertEquals(0664 & ~022, io.lstat(f).permissions(), "mode passed to open, less the umask");
    UnionException again = assertThrows(UnionException.class, () -> io.writeNewFile(f, data, 0644));
    assertEquals(org.unionfsjava.model.Errno.EEXIST, again.errno());
    io.symlink("record", dir.resolve("link"));
    UnionException viaLink = assertThrows(UnionException.class, () -> io.readSmallFile(dir.resolve("link"), 10));
    assertEquals(org.unionfsjava.model.Errno.ELOOP, viaLink.errno());
  }

  @Test
  void lstat_missingName_isNull_andUnderAFile_isNull() throws Exception {
    assertNull(io.lstat(dir.resolve("missing")));
    Path file = Files.createFile(dir.resolve("f"));
    assertNull(io.lstat(file.resolve("child")), "ENOTDIR answers null too");
  }

  @Test
  void lstat_doesNotFollowSymlinks() throws Exception {
    io.symlink("nowhere", dir.resolve("l"));
    Stat stat = io.lstat(dir.resolve("l"));
    assertEquals(FileKind.SYMLINK, stat.kind());
    assertEquals("nowhere".length(), stat.size());
  }

  @Test
  void lstat_otherErrors_throw() throws Exception {
    String longName = "x".repeat(300);
    assertErrno(Errno.ENAMETOOLONG, () -> io.lstat(dir.resolve(longName)));
    io.symlink("loop", dir.resolve("loop"));
    assertErrno(Errno.ELOOP, () -> io.lstat(dir.resolve("loop/child")));
  }

  // ---- list

  @Test
  void list_twentyThousandEntries_allNamesWithKindsAndInodes() throws Exception {
    Path big = Files.createDirectory(dir.resolve("big"));
    for (int i = 0; i < 20_000; i++) {
      Files.createFile(big.resolve("file-" + i));
    }
    io.mkdir(big.resolve("sub"), 0755);
    io.symlink("file-1", big.resolve("link"));
    io.mknod(big.resolve("fifo"), FileKind.FIFO.typeBits() | 0644, 0);

    List<DirEntry> entries = io.list(big);

    assertEquals(20_003, entries.size());
    Map<String, DirEntry> byName = new HashMap<>();
    for (DirEntry entry : entries) {
      assertNull(byName.put(entry.name(), entry), "no duplicate " + entry.name());
    }
    assertFalse(byName.containsKey("."));
    assertFalse(byName.containsKey(".."));
    for (int i = 0; i < 20_000; i++) {
      DirEntry entry = byName.get("file-" + i);
      assertNotNull(entry, "file-" + i);
      assertEquals(FileKind.REGULAR, entry.kind());
    }
    assertEquals(FileKind.DIRECTORY, byName.get("sub").kind());
    assertEquals(FileKind.SYMLINK, byName.get("link").kind());
    assertEquals(FileKind.FIFO, byName.get("fifo").kind());
    assertEquals(io.lstat(big.resolve("file-12345")).ino(), byName.get("file-12345").ino());
    assertEquals(io.lstat(big.resolve("sub")).ino(), byName.get("sub").ino());
  }

  @Test
  void list_emptyDir_isEmpty_andErrors() throws Exception {
    assertEquals(List.of(), io.list(Files.createDirectory(dir.resolve("empty"))));
    assertErrno(Errno.ENOENT, () -> io.list(dir.resolve("missing")));
    assertErrno(Errno.ENOTDIR, () -> io.list(Files.createFile(dir.resolve("f"))));
  }

  @Test
  void nonAsciiUtf8Name_roundTrips() throws Exception {
    String name = "grüße-日本-\uD83D\uDE42.txt";
    Path path = dir.resolve(name);
    io.createFile(path, 0644);
    assertTrue(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "NIO sees the same name");
    byte[] onDisk = dirNameBytes();
    assertArrayEquals(name.getBytes(StandardCharsets.UTF_8), onDisk, "UTF-8 bytes on disk");
    List<DirEntry> entries = io.list(dir);
    assertEquals(1, entries.size());
    assertEquals(name, entries.get(0).name());
    assertNotNull(io.lstat(dir.resolve(entries.get(0).name())));
    io.setXattr(path, "user.名前", "値".getBytes(StandardCharsets.UTF_8), 0);
    assertEquals(List.of("user.名前"), io.listXattrs(path));
  }

  private byte[] dirNameBytes() throws Exception {
    Process ls = new ProcessBuilder("ls", "-1", "--quoting-style=literal", dir.toString()).start();
    byte[] out = ls.getInputStream().readAllBytes();
    assertEquals(0, ls.waitFor());
    return java.util.Arrays.copyOf(out, out.length - 1); // drop the newline
  }

  // ---- xattrs

  @Test
  void userXattr_roundTrip_list_remove() throws Exception {
    Path file = Files.createFile(dir.resolve("f"));
    assertNull(io.getXattr(file, "user.none"));
    io.setXattr(file, "user.a", "1".getBytes(StandardCharsets.US_ASCII), 0);
    io.setXattr(file, "user.empty", new byte[0], 0);
    assertArrayEquals(new byte[] {'1'}, io.getXattr(file, "user.a"));
    assertArrayEquals(new byte[0], io.getXattr(file, "user.empty"));
    assertTrue(io.listXattrs(file).containsAll(List.of("user.a", "user.empty")));
    io.removeXattr(file, "user.a");
    assertNull(io.getXattr(file, "user.a"));
    assertFalse(io.listXattrs(file).contains("user.a"));
    assertErrno(Errno.ENODATA, () -> io.removeXattr(file, "user.a"));
  }

  @Test
  void xattrFlags_createAndReplace() throws Exception {
    Path file = Files.createFile(dir.resolve("f"));
    assertErrno(Errno.ENODATA,
        () -> io.setXattr(file, "user.x", new byte[] {1}, BranchIo.XATTR_REPLACE));
    io.setXattr(file, "user.x", new byte[] {1}, BranchIo.XATTR_CREATE);
    assertErrno(Errno.EEXIST,
        () -> io.setXattr(file, "user.x", new byte[] {2}, BranchIo.XATTR_CREATE));
    io.setXattr(file, "user.x", new byte[] {3}, BranchIo.XATTR_REPLACE);
    assertArrayEquals(new byte[] {3}, io.getXattr(file, "user.x"));
  }

  @Test
  void largeXattrValue_growsTheBuffer() throws Exception {
    Path file = Files.createFile(dir.resolve("f"));
    byte[] value = new byte[3000]; // > 256 and > 1024: two ERANGE retries
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) (i * 31);
    }
    io.setXattr(file, "user.big", value, 0);
    assertArrayEquals(value, io.getXattr(file, "user.big"));
  }

  @Test
  void trustedXattr_onSymlink_isNotFollowed() throws Exception {
    assumeTrue(isRoot(), "trusted.* needs CAP_SYS_ADMIN");
    Path target = Files.createFile(dir.resolve("target"));
    Path link = dir.resolve("link");
    io.symlink("target", link);
    io.setXattr(link, "trusted.overlay.opaque", new byte[] {'y'}, 0);
    assertArrayEquals(new byte[] {'y'}, io.getXattr(link, "trusted.overlay.opaque"));
    assertNull(io.getXattr(target, "trusted.overlay.opaque"));
    assertTrue(io.listXattrs(link).contains("trusted.overlay.opaque"));
    io.removeXattr(link, "trusted.overlay.opaque");
    assertNull(io.getXattr(link, "trusted.overlay.opaque"));
  }

  @Test
  void userXattr_onSymlink_isEperm() throws Exception {
    io.symlink("t", dir.resolve("link"));
    assertErrno(Errno.EPERM, () -> io.setXattr(dir.resolve("link"), "user.x", new byte[1], 0));
  }

  @Test
  void xattr_onMissingPath_throwsEnoent() {
    assertErrno(Errno.ENOENT, () -> io.getXattr(dir.resolve("missing"), "user.x"));
    assertErrno(Errno.ENOENT, () -> io.listXattrs(dir.resolve("missing")));
  }

  // ---- mkdir, mknod, createFile

  @Test
  void mkdir_exactMode_andErrors() throws Exception {
    io.mkdir(dir.resolve("d"), 0751);
    Stat stat = io.lstat(dir.resolve("d"));
    assertTrue(stat.isDirectory());
    assertEquals(0751, stat.permissions());
    assertErrno(Errno.EEXIST, () -> io.mkdir(dir.resolve("d"), 0755));
    assertErrno(Errno.ENOENT, () -> io.mkdir(dir.resolve("missing/d"), 0755));
  }

  @Test
  void mknod_fifo_andWhiteoutCharDevice() throws Exception {
    io.mknod(dir.resolve("fifo"), FileKind.FIFO.typeBits() | 0640, 0);
    Stat fifo = io.lstat(dir.resolve("fifo"));
    assertEquals(FileKind.FIFO, fifo.kind());
    assertEquals(0640, fifo.permissions());

    assumeTrue(isRoot(), "char devices need CAP_MKNOD");
    io.mknod(dir.resolve("wh"), FileKind.CHAR_DEVICE.typeBits(), 0);
    Stat whiteout = io.lstat(dir.resolve("wh"));
    assertEquals(FileKind.CHAR_DEVICE, whiteout.kind());
    assertEquals(0, whiteout.rdev());
    io.mknod(dir.resolve("null"), FileKind.CHAR_DEVICE.typeBits() | 0666, 0x103); // makedev(1,3)
    assertEquals(0x103, io.lstat(dir.resolve("null")).rdev());
    assertErrno(Errno.EEXIST, () -> io.mknod(dir.resolve("wh"), FileKind.FIFO.typeBits(), 0));
  }

  @Test
  void createFile_exclusive_exactMode() throws Exception {
    Path file = dir.resolve("f");
    io.createFile(file, 0640);
    Stat stat = io.lstat(file);
    assertEquals(FileKind.REGULAR, stat.kind());
    assertEquals(0640, stat.permissions());
    assertEquals(0, stat.size());
    assertErrno(Errno.EEXIST, () -> io.createFile(file, 0644));
    io.symlink("dangling", dir.resolve("l"));
    assertErrno(Errno.EEXIST, () -> io.createFile(dir.resolve("l"), 0644));
    assertFalse(Files.exists(dir.resolve("dangling")), "O_EXCL never follows a symlink");
  }

  // ---- symlink, readlink, link

  @Test
  void symlink_readlink_keepTargetAsGiven() throws Exception {
    io.symlink("../some/where-ü", dir.resolve("l"));
    assertEquals("../some/where-ü", io.readlink(dir.resolve("l")));
    String longTarget = "d/".repeat(1500) + "end"; // 3003 bytes: readlink retries larger
    io.symlink(longTarget, dir.resolve("long"));
    assertEquals(longTarget, io.readlink(dir.resolve("long")));
    assertErrno(Errno.EEXIST, () -> io.symlink("x", dir.resolve("l")));
    assertErrno(Errno.EINVAL, () -> io.readlink(Files.createFile(dir.resolve("f"))));
    assertErrno(Errno.ENOENT, () -> io.readlink(dir.resolve("missing")));
  }

  @Test
  void link_hardLinksTheSymlinkItself() throws Exception {
    Path file = Files.createFile(dir.resolve("f"));
    io.link(file, dir.resolve("f2"));
    assertEquals(2, io.lstat(file).nlink());
    assertEquals(io.lstat(file).ino(), io.lstat(dir.resolve("f2")).ino());
    io.symlink("f", dir.resolve("l"));
    io.link(dir.resolve("l"), dir.resolve("l2"));
    assertEquals(FileKind.SYMLINK, io.lstat(dir.resolve("l2")).kind());
    assertErrno(Errno.EEXIST, () -> io.link(file, dir.resolve("f2")));
    assertErrno(Errno.ENOENT, () -> io.link(dir.resolve("missing"), dir.resolve("x")));
  }

  // ---- rename

  @Test
  void rename_replace_noreplace() throws Exception {
    Path a = Files.writeString(dir.resolve("a"), "A");
    Path b = Files.writeString(dir.resolve("b"), "B");
    assertErrno(Errno.EEXIST, () -> io.rename(a, b, RenameMode.NOREPLACE));
    assertEquals("A", Files.readString(a));
    io.rename(a, b, RenameMode.REPLACE);
    assertNull(io.lstat(a));
    assertEquals("A", Files.readString(b));
    io.rename(b, dir.resolve("c"), RenameMode.NOREPLACE);
    assertEquals("A", Files.readString(dir.resolve("c")));
    assertErrno(Errno.ENOENT, () -> io.rename(a, b, RenameMode.REPLACE));
  }

  @Test
  void rename_directoryErrors() throws Exception {
    io.mkdir(dir.resolve("d1"), 0755);
    io.mkdir(dir.resolve("d2"), 0755);
    io.createFile(dir.resolve("d2/x"), 0644);
    io.createFile(dir.resolve("f"), 0644);
    assertErrno(Errno.ENOTEMPTY, () -> io.rename(dir.resolve("d1"), dir.resolve("d2"),
        RenameMode.REPLACE));
    assertErrno(Errno.EISDIR, () -> io.rename(dir.resolve("f"), dir.resolve("d1"),
        RenameMode.REPLACE));
    assertErrno(Errno.ENOTDIR, () -> io.rename(dir.resolve("d1"), dir.resolve("f"),
        RenameMode.REPLACE));
    assertErrno(Errno.EINVAL, () -> io.rename(dir.resolve("d1"), dir.resolve("d1/sub"),
        RenameMode.REPLACE));
  }

  @Test
  void rename_exchange_swapsAtomically() throws Exception {
    Path a = Files.writeString(dir.resolve("a"), "A");
    io.mkdir(dir.resolve("b"), 0700);
    long inoA = io.lstat(a).ino();
    io.rename(a, dir.resolve("b"), RenameMode.EXCHANGE);
    assertTrue(io.lstat(a).isDirectory());
    assertEquals(inoA, io.lstat(dir.resolve("b")).ino());
    assertEquals("A", Files.readString(dir.resolve("b")));
    assertErrno(Errno.ENOENT, () -> io.rename(dir.resolve("b"), dir.resolve("none"),
        RenameMode.EXCHANGE));
  }

  @Test
  void rename_whiteout_leavesCharDevice00AtSource() throws Exception {
    assumeTrue(isRoot(), "RENAME_WHITEOUT needs CAP_MKNOD");
    Path a = Files.writeString(dir.resolve("a"), "A");
    io.rename(a, dir.resolve("b"), RenameMode.WHITEOUT);
    Stat whiteout = io.lstat(a);
    assertEquals(FileKind.CHAR_DEVICE, whiteout.kind());
    assertEquals(0, whiteout.rdev());
    assertEquals("A", Files.readString(dir.resolve("b")));
  }

  // ---- unlink, rmdir

  @Test
  void unlink_rmdir_andErrors() throws Exception {
    io.mkdir(dir.resolve("d"), 0755);
    io.createFile(dir.resolve("d/f"), 0644);
    assertErrno(Errno.ENOTEMPTY, () -> io.rmdir(dir.resolve("d")));
    assertErrno(Errno.EISDIR, () -> io.unlink(dir.resolve("d")));
    assertErrno(Errno.ENOTDIR, () -> io.rmdir(dir.resolve("d/f")));
    io.unlink(dir.resolve("d/f"));
    assertNull(io.lstat(dir.resolve("d/f")));
    assertErrno(Errno.ENOENT, () -> io.unlink(dir.resolve("d/f")));
    io.rmdir(dir.resolve("d"));
    assertNull(io.lstat(dir.resolve("d")));
    assertErrno(Errno.ENOENT, () -> io.rmdir(dir.resolve("d")));
  }

  // ---- chmod, lchown, utimens, truncate

  @Test
  void chmod_setsAllPermissionBits() throws Exception {
    Path file = Files.createFile(dir.resolve("f"));
    io.chmod(file, 04751);
    assertEquals(04751, io.lstat(file).permissions());
    assertEquals(FileKind.REGULAR, io.lstat(file).kind());
    assertErrno(Errno.ENOENT, () -> io.chmod(dir.resolve("missing"), 0644));
  }

  @Test
  void lchown_changesTheSymlinkNotItsTarget() throws Exception {
    assumeTrue(isRoot(), "chown to other ids needs CAP_CHOWN");
    Path target = Files.createFile(dir.resolve("t"));
    Path link = dir.resolve("l");
    io.symlink("t", link);
    io.lchown(link, 1234, 5678);
    assertEquals(1234, io.lstat(link).uid());
    assertEquals(5678, io.lstat(link).gid());
    assertEquals(0, io.lstat(target).uid());
    io.lchown(link, -1, 42);
    assertEquals(1234, io.lstat(link).uid(), "-1 leaves the uid");
    assertEquals(42, io.lstat(link).gid());
  }

  @Test
  void utimens_nanosecondPrecision_omit_now_andNoFollow() throws Exception {
    Path file = Files.createFile(dir.resolve("f"));
    io.utimens(file, 1_600_000_000_123_456_789L, 1_500_000_000_987_654_321L);
    Stat stat = io.lstat(file);
    assertEquals(1_600_000_000_123_456_789L, stat.atimeNs());
    assertEquals(1_500_000_000_987_654_321L, stat.mtimeNs());

    io.utimens(file, BranchIo.UTIME_OMIT, 1_000_000_000_000_000_001L);
    stat = io.lstat(file);
    assertEquals(1_600_000_000_123_456_789L, stat.atimeNs(), "UTIME_OMIT keeps atime");
    assertEquals(1_000_000_000_000_000_001L, stat.mtimeNs());

    long before = System.currentTimeMillis() * 1_000_000L - 5_000_000_000L;
    io.utimens(file, BranchIo.UTIME_OMIT, BranchIo.UTIME_NOW);
    stat = io.lstat(file);
    assertTrue(stat.mtimeNs() > before, "UTIME_NOW is now");
    assertEquals(1_600_000_000_123_456_789L, stat.atimeNs());

    io.symlink("f", dir.resolve("l"));
    io.utimens(dir.resolve("l"), 42_000_000_007L, 43_000_000_008L);
    assertEquals(43_000_000_008L, io.lstat(dir.resolve("l")).mtimeNs());
    assertEquals(stat.mtimeNs(), io.lstat(file).mtimeNs(), "target untouched");

    io.utimens(file, -1_500_000_000L, 0); // before the epoch: tv_sec -2, tv_nsec 500000000
    assertEquals(-1_500_000_000L, io.lstat(file).atimeNs());
    assertErrno(Errno.ENOENT, () -> io.utimens(dir.resolve("missing"), 0, 0));
  }

  @Test
  void truncate_growsAndShrinks() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "hello");
    io.truncate(file, 2);
    assertEquals("he", Files.readString(file));
    io.truncate(file, 1 << 20);
    assertEquals(1 << 20, io.lstat(file).size());
    assertErrno(Errno.EISDIR, () -> io.truncate(dir, 0));
    assertErrno(Errno.ENOENT, () -> io.truncate(dir.resolve("missing"), 0));
  }

  // ---- syncDirectory

  @Test
  void syncDirectory_onDirectory_andErrors() throws Exception {
    io.syncDirectory(dir);
    assertErrno(Errno.ENOENT, () -> io.syncDirectory(dir.resolve("missing")));
    assertErrno(Errno.ENOTDIR, () -> io.syncDirectory(Files.createFile(dir.resolve("f"))));
  }
}
