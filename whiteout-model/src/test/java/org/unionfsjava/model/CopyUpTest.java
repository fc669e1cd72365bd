package org.unionfsjava.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.model.UnionFixture.assertErrno;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("CopyUp (DESIGN §2 copy-up)")
class CopyUpTest extends AufsUnionTestBase {
  private static final long MTIME_NS = 1_600_000_000_123_456_789L;
  private static final long DIR_A_MTIME_NS = 1_500_000_000_000_000_001L;
  private static final long DIR_B_MTIME_NS = 1_500_000_000_987_654_321L;

  private static void setTimes(Path p, long mtimeNs) throws IOException {
    Files.setLastModifiedTime(p, FileTime.from(mtimeNs, TimeUnit.NANOSECONDS));
  }

  private static void chmod(Path p, String perms) throws IOException {
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
  }

  @Test
  @DisplayName("A lower file's data, mode and mtime (to the nanosecond) are copied; the lower stays as it was")
  void ensureUpper_lowerFile_copiesDataModeAndTimes() throws IOException {
    UnionFixture u = stack().file("lower1", "f", "lower data").build();
    Path lower = u.branch("lower1").resolve("f");
    chmod(lower, "rwxr-x---");
    setTimes(lower, MTIME_NS);
    Map<String, String> before = u.snapshot("lower1");

    Path up = u.copyUp().ensureUpper(u.visible("/f"), true);

    assertEquals(u.branch("upper").resolve("f"), up);
    assertEquals("lower data", Files.readString(up));
    Stat st = io.lstat(up);
    assertEquals(FileKind.REGULAR, st.kind());
    assertEquals(0750, st.permissions());
    assertEquals(MTIME_NS, st.mtimeNs());
    assertEquals(before, u.snapshot("lower1"));
    assertEquals("upper", u.provenance("/f"));
    assertEquals(List.of(), u.temps());
  }

  @Test
  @DisplayName("user.* xattrs are copied with the object")
  void ensureUpper_userXattrs_copied() throws IOException {
    UnionFixture u = stack().file("lower1", "f").build();
    Path lower = u.branch("lower1").resolve("f");
    Files.getFileAttributeView(lower, UserDefinedFileAttributeView.class)
        .write("mime", ByteBuffer.wrap("text/plain".getBytes(StandardCharsets.UTF_8)));

    Path up = u.copyUp().ensureUpper(u.visible("/f"), true);

    assertArrayEquals("text/plain".getBytes(StandardCharsets.UTF_8), io.getXattr(up, "user.mime"));
  }

  @Test
  @DisplayName("Missing parents are created with their lower modes, and their lower mtimes are restored after the child lands")
  void ensureUpper_nestedFile_createsParentsWithLowerModesAndTimes() throws IOException {
    UnionFixture u = stack().file("lower1", "a/b/f").build();
    Path la = u.branch("lower1").resolve("a");
    Path lb = la.resolve("b");
    chmod(la, "rwxr-x---");
    chmod(lb, "rwx--x--x");
    setTimes(lb, DIR_B_MTIME_NS);
    setTimes(la, DIR_A_MTIME_NS);

    u.copyUp().ensureUpper(u.visible("/a/b/f"), true);

    Path ua = u.branch("upper").resolve("a");
    Path ub = ua.resolve("b");
    assertEquals(0750, io.lstat(ua).permissions());
    assertEquals(0711, io.lstat(ub).permissions());
    assertEquals(DIR_A_MTIME_NS, io.lstat(ua).mtimeNs());
    assertEquals(DIR_B_MTIME_NS, io.lstat(ub).mtimeNs());
    assertEquals("lower1", Files.readString(ub.resolve("f")));
    assertEquals(List.of("upper", "lower1"), u.visible("/a/b").layers().stream().map(l -> l.branch().label()).toList());
    assertEquals(List.of(), u.temps());
  }

  @Test
  @DisplayName("ensureUpperDir copies only the directory chain, not the directory's children")
  void ensureUpperDir_copiesChainOnly() throws IOException {
    UnionFixture u = stack().file("lower1", "a/b/f").build();

    Path ub = u.copyUp().ensureUpperDir(u.visible("/a/b"));

    assertEquals(u.branch("upper").resolve("a/b"), ub);
    assertTrue(Files.isDirectory(ub));
    assertEquals(List.of(), io.list(ub));
    assertEquals("lower1", u.provenance("/a/b/f"));
  }

  @Test
  @DisplayName("An object already in the upper is returned as it is, without a copy")
  void ensureUpper_upperObject_noCopy() throws IOException {
    UnionFixture u = stack().file("upper", "f").file("lower1", "f").build();

    Path up = u.copyUp().ensureUpper(u.visible("/f"), true);

    assertEquals(u.branch("upper").resolve("f"), up);
    assertEquals("upper", Files.readString(up));
  }

  @Test
  @DisplayName("A symlink is copied as a symlink with the same target")
  void ensureUpper_symlink_copiedAsLink() throws IOException {
    UnionFixture u = stack().file("lower1", "t").symlink("lower1", "d/link", "../t").build();

    Path up = u.copyUp().ensureUpper(u.visible("/d/link"), true);

    assertTrue(Files.isSymbolicLink(up));
    assertEquals("../t", io.readlink(up));
    assertEquals(FileKind.SYMLINK, u.visible("/d/link").kind());
    assertEquals("upper", u.provenance("/d/link"));
  }

  @Test
  @DisplayName("withData=false (an O_TRUNC open) makes an empty file with the lower's mode")
  void ensureUpper_withoutData_emptyFile() throws IOException {
    UnionFixture u = stack().file("lower1", "f", "some data").build();
    chmod(u.branch("lower1").resolve("f"), "rw-r-----");

    Path up = u.copyUp().ensureUpper(u.visible("/f"), false);

    assertEquals(0, Files.size(up));
    assertEquals(0640, io.lstat(up).permissions());
    assertEquals("some data", Files.readString(u.branch("lower1").resolve("f")));
  }

  @Test
  @DisplayName("16 threads copying up one file: one correct copy, every thread gets its path, no temporaries left")
  void ensureUpper_concurrentSameFile_oneCopyNoLeftovers() throws Exception {
    byte[] data = new byte[1 << 20];
    new Random(42).nextBytes(data);
    UnionFixture u = stack().dir("lower1", "a/b").build();
    Path lower = u.branch("lower1").resolve("a/b/big");
    Files.write(lower, data);
    Resolution.Visible v = u.visible("/a/b/big");
    int threads = 16;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        Callable<Path> task = () -> {
          start.await();
          return u.copyUp().ensureUpper(v, true);
        };
        results.add(pool.submit(task));
      }
      start.countDown();
      Path expected = u.branch("upper").resolve("a/b/big");
      for (Future<Path> f : results) {
        assertEquals(expected, f.get(30, TimeUnit.SECONDS));
      }
      assertArrayEquals(data, Files.readAllBytes(expected));
      assertEquals(List.of("big"), io.list(expected.getParent()).stream().map(DirEntry::name).toList());
      assertEquals(List.of(), u.temps());
      assertArrayEquals(data, Files.readAllBytes(lower));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("Out of space during the copy: ENOSPC, no partial object in the upper, no temporary, lower intact")
  void ensureUpper_diskFull_enospcAndNoLeftovers() throws Exception {
    try (FileSystem small = TestFileSystems.newUnix(96 * 1024)) {
      Path root = Files.createDirectories(small.getPath("/union"));
      UnionFixture u = UnionFixture.builder(root, io, aufs).dir("lower1", "d").build();
      byte[] data = new byte[64 * 1024];
      new Random(7).nextBytes(data);
      Path lower = u.branch("lower1").resolve("d/f");
      Files.write(lower, data);

      UnionException e = assertErrno(Errno.ENOSPC, () -> u.copyUp().ensureUpper(u.visible("/d/f"), true));

      assertFalse(Files.exists(u.branch("upper").resolve("d/f"), LinkOption.NOFOLLOW_LINKS), e.getMessage());
      assertEquals(List.of(), u.temps());
      assertEquals("lower1", u.provenance("/d/f"));
      assertArrayEquals(data, Files.readAllBytes(lower));
    }
  }
}
