package org.unionfsjava.e2e.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.e2e.support.Fixture.file;
import static org.unionfsjava.e2e.support.Fixture.read;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.Fixture.Stat;
import org.unionfsjava.e2e.support.SharedUnions;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * symlink, readlink and link (hard links) through the mount. A hard link of a lower file copies
 * it up first (DESIGN §2 "Copy-up" triggers), so both names then share one upper inode.
 */
@Timeout(120)
@DisplayName("symlink, readlink, link")
class LinkTest {
  @TempDir static Path tmp;
  static SharedUnions unions;

  @BeforeAll
  static void createUnions() {
    unions = new SharedUnions(tmp, 1, LinkTest::fill);
  }

  @AfterAll
  static void unmountAll() {
    unions.close();
  }

  static void fill(TestUnion u) throws IOException {
    Path l = u.lower(1);
    file(l.resolve("symlink/target"), "target");
    file(l.resolve("readlink/target"), "lower target");
    Files.createSymbolicLink(l.resolve("readlink/rel"), Path.of("target"));
    Files.createSymbolicLink(l.resolve("readlink/dangling"), Path.of("/nonexistent/x"));
    Fixture.dir(l.resolve("link-upper"));
    file(l.resolve("link-lower/f"), "lower f");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("symlink creates a link in the upper whose target reads back and resolves through the mount")
  void symlink_newLink_readsBackAndResolves(UnionSystem system) throws IOException {
    TestUnion u = unions.get(system);
    assertEquals("OK", Syscalls.symlink("target", u.at("symlink/rel")).outcome());
    assertEquals("OK", Syscalls.symlink("/no/such/place", u.at("symlink/dangling")).outcome());
    assertEquals("symlink", Fixture.stat(u.at("symlink/rel")).kind());
    assertEquals("target", Syscalls.readlinkTarget(u.at("symlink/rel")));
    assertEquals("target", read(u.at("symlink/rel")), "followed");
    assertEquals("/no/such/place", Syscalls.readlinkTarget(u.at("symlink/dangling")));
    assertEquals("target", Files.readSymbolicLink(u.upper().resolve("symlink/rel")).toString(), "upper");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("readlink of lower symlinks returns their targets, dangling ones too")
  void readlink_lowerSymlinks_returnTargets(UnionSystem system) {
    TestUnion u = unions.get(system);
    assertEquals("target", Syscalls.readlinkTarget(u.at("readlink/rel")));
    assertEquals("lower target", read(u.at("readlink/rel")));
    assertEquals("/nonexistent/x", Syscalls.readlinkTarget(u.at("readlink/dangling")));
    assertEquals("EINVAL", Syscalls.readlink(u.at("readlink/target")).outcome(), "readlink of a regular file");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("link of an upper file: both names have the same inode and nlink 2, and a write through one shows in the other")
  void link_upperFile_sharesInodeWithNlink2(UnionSystem system) throws IOException {
    TestUnion u = unions.get(system);
    file(u.at("link-upper/a"), "one");
    assertEquals("OK", Syscalls.link(u.at("link-upper/a"), u.at("link-upper/b")).outcome());
    Stat a = Fixture.stat(u.at("link-upper/a"));
    Stat b = Fixture.stat(u.at("link-upper/b"));
    assertEquals(2, a.nlink(), "nlink of the first name");
    assertEquals(2, b.nlink(), "nlink of the second name");
    assertEquals(a.ino(), b.ino(), "both names must report the same inode");
    Files.writeString(u.at("link-upper/b"), "+two", StandardOpenOption.APPEND);
    assertEquals("one+two", eventually(system, () -> read(u.at("link-upper/a")), "one+two"));
    Stat ua = Fixture.stat(u.upper().resolve("link-upper/a"));
    assertEquals(ua.ino(), Fixture.stat(u.upper().resolve("link-upper/b")).ino(), "upper: one inode");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("link of a lower file works: both names show the content, nlink 2, writes are shared, lower unchanged")
  void link_lowerFile_copiesUpAndLinks(UnionSystem system) throws IOException {
    TestUnion u = unions.get(system);
    assertEquals("OK", Syscalls.link(u.at("link-lower/f"), u.at("link-lower/g")).outcome());
    assertEquals("lower f", read(u.at("link-lower/g")));
    assertEquals(2L, (long) eventually(system, () -> (long) Fixture.stat(u.at("link-lower/f")).nlink(), 2L), "nlink");
    assertEquals(Fixture.stat(u.at("link-lower/f")).ino(), Fixture.stat(u.at("link-lower/g")).ino(), "same inode");
    Files.writeString(u.at("link-lower/g"), "!", StandardOpenOption.APPEND);
    assertEquals("lower f!", eventually(system, () -> read(u.at("link-lower/f")), "lower f!"),
        "write through the new name shows in the old one");
    assertEquals("lower f", read(u.lower(1).resolve("link-lower/f")), "lower unchanged");
    assertTrue(Files.isRegularFile(u.upper().resolve("link-lower/f")), "old name copied up");
    assertEquals(1, Fixture.stat(u.lower(1).resolve("link-lower/f")).nlink(), "lower nlink unchanged");
  }

  /** Reads a value through the mount. */
  interface Probe<T> {
    T get() throws IOException;
  }

  /**
   * The value seen through another name of a hard-linked file. Kernel overlayfs shows it at once.
   * unionfs-java runs on libfuse2's high-level API, where the kernel holds one inode per name, so
   * its attribute cache of the other name (size, nlink) may lag by at most the attribute timeout
   * (the cache TTL, 1 s here): the documented bound, polled for up to 3 s and no longer.
   */
  private static <T> T eventually(UnionSystem system, Probe<T> probe, T expected) throws IOException {
    T seen = probe.get();
    if (!system.isJava()) {
      return seen;
    }
    long deadline = System.nanoTime() + 3_000_000_000L;
    while (!expected.equals(seen) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      seen = probe.get();
    }
    return seen;
  }
}
