package org.unionfsjava.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.model.UnionFixture.assertErrno;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("NioBranchIo on Jimfs")
class NioBranchIoTest extends AufsUnionTestBase {
  private Path dir;

  @BeforeEach
  void makeDir() throws IOException {
    dir = Files.createDirectories(path("/b"));
  }

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  @DisplayName("lstat answers null for a missing name and below a file; kinds and modes otherwise")
  void lstat_missingAndKinds() throws IOException {
    io.createFile(dir.resolve("f"), 0640);
    io.mkdir(dir.resolve("d"), 0711);
    io.symlink("f", dir.resolve("l"));

    assertNull(io.lstat(dir.resolve("nope")));
    assertNull(io.lstat(dir.resolve("f/below")));
    assertEquals(FileKind.REGULAR, io.lstat(dir.resolve("f")).kind());
    assertEquals(0640, io.lstat(dir.resolve("f")).permissions());
    assertEquals(0711, io.lstat(dir.resolve("d")).permissions());
    assertEquals(FileKind.SYMLINK, io.lstat(dir.resolve("l")).kind());
    assertEquals("f", io.readlink(dir.resolve("l")));
  }

  @Test
  @DisplayName("Typed errors: createFile over an existing name EEXIST, rmdir non-empty ENOTEMPTY, unlink dir EISDIR")
  void errors_typed() throws IOException {
    io.createFile(dir.resolve("f"), 0644);
    io.mkdir(dir.resolve("d"), 0755);
    io.createFile(dir.resolve("d/x"), 0644);

    assertErrno(Errno.EEXIST, () -> io.createFile(dir.resolve("f"), 0644));
    assertErrno(Errno.ENOTEMPTY, () -> io.rmdir(dir.resolve("d")));
    assertErrno(Errno.EISDIR, () -> io.unlink(dir.resolve("d")));
    assertErrno(Errno.ENOTDIR, () -> io.rmdir(dir.resolve("f")));
    assertErrno(Errno.ENOENT, () -> io.unlink(dir.resolve("nope")));
  }

  @Test
  @DisplayName("user xattrs round-trip with CREATE/REPLACE flags; trusted xattrs are unsupported here")
  void xattrs_userOnly() throws IOException {
    io.createFile(dir.resolve("f"), 0644);
    Path f = dir.resolve("f");
    byte[] v = "v".getBytes(StandardCharsets.UTF_8);

    assertErrno(Errno.ENODATA, () -> io.setXattr(f, "user.a", v, BranchIo.XATTR_REPLACE));
    io.setXattr(f, "user.a", v, BranchIo.XATTR_CREATE);
    assertErrno(Errno.EEXIST, () -> io.setXattr(f, "user.a", v, BranchIo.XATTR_CREATE));
    assertEquals(List.of("user.a"), io.listXattrs(f));
    assertEquals("v", new String(io.getXattr(f, "user.a"), StandardCharsets.UTF_8));
    assertNull(io.getXattr(f, "trusted.overlay.opaque"));
    assertErrno(Errno.ENOTSUP, () -> io.setXattr(f, "trusted.overlay.opaque", v, 0));
    io.removeXattr(f, "user.a");
    assertNull(io.getXattr(f, "user.a"));
    assertErrno(Errno.ENODATA, () -> io.removeXattr(f, "user.a"));
  }

  @Test
  @DisplayName("mknod is ENOTSUP and RENAME_WHITEOUT is EINVAL on plain NIO (so OverlayFormat falls back)")
  void mknodAndWhiteoutRename_unsupported() throws IOException {
    io.createFile(dir.resolve("f"), 0644);

    assertErrno(Errno.ENOTSUP, () -> io.mknod(dir.resolve("c"), 0020000, 0));
    assertErrno(Errno.EINVAL, () -> io.rename(dir.resolve("f"), dir.resolve("g"), BranchIo.RenameMode.WHITEOUT));
    assertTrue(Files.exists(dir.resolve("f")));
  }

  @Test
  @DisplayName("rename NOREPLACE refuses an existing target with EEXIST; REPLACE of a directory by a file is EISDIR")
  void rename_modes() throws IOException {
    io.createFile(dir.resolve("a"), 0644);
    io.createFile(dir.resolve("b"), 0644);
    io.mkdir(dir.resolve("d"), 0755);

    assertErrno(Errno.EEXIST, () -> io.rename(dir.resolve("a"), dir.resolve("b"), BranchIo.RenameMode.NOREPLACE));
    assertErrno(Errno.EISDIR, () -> io.rename(dir.resolve("a"), dir.resolve("d"), BranchIo.RenameMode.REPLACE));
    io.rename(dir.resolve("a"), dir.resolve("b"), BranchIo.RenameMode.REPLACE);
    assertEquals(List.of("b", "d"), names());
  }

  @Test
  @DisplayName("rename EXCHANGE swaps two names and leaves no helper name behind")
  void rename_exchange_swaps() throws IOException {
    Files.writeString(dir.resolve("a"), "A");
    Files.writeString(dir.resolve("b"), "B");

    io.rename(dir.resolve("a"), dir.resolve("b"), BranchIo.RenameMode.EXCHANGE);

    assertEquals("B", Files.readString(dir.resolve("a")));
    assertEquals("A", Files.readString(dir.resolve("b")));
    assertEquals(List.of("a", "b"), names());
  }

  @Test
  @DisplayName("rename EXCHANGE with a missing target fails with ENOENT and leaves the source where it was")
  void rename_exchangeMissingTarget_enoentSourceKept() throws IOException {
    Files.writeString(dir.resolve("a"), "A");

    assertErrno(Errno.ENOENT, () -> io.rename(dir.resolve("a"), dir.resolve("missing"), BranchIo.RenameMode.EXCHANGE));

    assertEquals(List.of("a"), names());
  }

  @Test
  @DisplayName("copyFileData copies bytes into a new 0600 file and refuses an existing target")
  void copyFileData_newFileOnly() throws IOException {
    Files.writeString(dir.resolve("src"), "data");

    io.copyFileData(dir.resolve("src"), dir.resolve("dst"), true);

    assertEquals("data", Files.readString(dir.resolve("dst")));
    assertEquals(0600, io.lstat(dir.resolve("dst")).permissions());
    assertErrno(Errno.EEXIST, () -> io.copyFileData(dir.resolve("src"), dir.resolve("dst"), false));
    assertTrue(Files.exists(dir.resolve("dst")), "an existing target must survive a refused O_EXCL copy");
    assertEquals("data", Files.readString(dir.resolve("dst")));
  }

  @Test
  @DisplayName("utimens sets nanosecond mtimes and honours UTIME_OMIT")
  void utimens_nanosAndOmit() throws IOException {
    io.createFile(dir.resolve("f"), 0644);
    Path f = dir.resolve("f");

    io.utimens(f, 1_000_000_000_000_000_001L, 1_600_000_000_123_456_789L);
    io.utimens(f, 5L, BranchIo.UTIME_OMIT);

    Stat st = io.lstat(f);
    assertEquals(1_600_000_000_123_456_789L, st.mtimeNs());
    assertEquals(5L, st.atimeNs());
  }

  @Test
  @DisplayName("truncate shrinks and grows (zero-filled)")
  void truncate_shrinkAndGrow() throws IOException {
    Files.writeString(dir.resolve("f"), "hello");

    io.truncate(dir.resolve("f"), 2);
    assertEquals("he", Files.readString(dir.resolve("f")));
    io.truncate(dir.resolve("f"), 4);
    assertEquals("he\0\0", Files.readString(dir.resolve("f")));
    assertFalse(Files.exists(dir.resolve("g")));
  }
}
