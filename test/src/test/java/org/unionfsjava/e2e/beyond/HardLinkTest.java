package org.unionfsjava.e2e.beyond;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.unionfsjava.e2e.support.Fixture.exists;
import static org.unionfsjava.e2e.support.Fixture.file;
import static org.unionfsjava.e2e.support.Fixture.read;
import static org.unionfsjava.e2e.support.Fixture.stat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.BeyondFacts;
import org.unionfsjava.e2e.support.Fixture.Stat;
import org.unionfsjava.e2e.support.LowersUnchanged;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.RelUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Issue 3.2: hard links survive copy-up and remount. Lower files that are hard links to each
 * other stay one file when one name is copied up (every name shows the same data, one inode
 * number, the right st_nlink; the upper holds one inode for them, through the index in the work
 * directory); link(2) on a lower file makes a second name of the same file; unlink of one name
 * lowers the others' st_nlink; all of it stays so after unmount and mount.
 *
 * <p>The union's own answers are checked on a mount with {@code --cache-ttl 0s}; one test runs
 * with the default TTL: on libfuse 3 (one node per file) the other names show a change at once.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@DisplayName("beyond overlayfs: hard links across copy-up, link, unlink and remount")
class HardLinkTest {
  @RegisterExtension
  final LowersUnchanged lowers = new LowersUnchanged();

  static RelUnion fill(Path tmp, UnionSystem system) throws IOException {
    SystemSelection.assumeSelected(system);
    RelUnion u = RelUnion.create(tmp, 1, system).javaOpts(BeyondFacts.FAST_START);
    Path l = u.lower(1);
    file(l.resolve("h/a"), "data");
    Files.createLink(l.resolve("h/b"), l.resolve("h/a"));
    file(l.resolve("h/c"), "c");
    file(l.resolve("t/t1"), "t");
    Files.createLink(l.resolve("t/t2"), l.resolve("t/t1"));
    Files.createLink(l.resolve("t/t3"), l.resolve("t/t1"));
    file(l.resolve("u/u1"), "u");
    Files.createLink(l.resolve("u/u2"), l.resolve("u/u1"));
    Files.createLink(l.resolve("u/u3"), l.resolve("u/u1"));
    return u;
  }

  static void append(Path p, String s) throws IOException {
    Files.write(p, s.getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
  }

  /** For every name: content, inode number and link count, to compare across a remount. */
  static Map<String, String> picture(RelUnion u, List<String> names) {
    Map<String, String> m = new TreeMap<>();
    for (String n : names) {
      Stat st = stat(u.at(n));
      m.put(n, read(u.at(n)) + " ino=" + st.ino() + " nlink=" + st.nlink());
    }
    return m;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("copy-up of one name, link, unlink: one file, right st_nlink, also after remount (--cache-ttl 0s)")
  void hardLinksSurviveCopyUpAndRemount(UnionSystem system, @TempDir Path tmp) throws IOException {
    RelUnion u = fill(tmp, system).withArgs("--cache-ttl", "0s");
    lowers.watch(u.lowers());
    try {
      u.mount();
      Stat a0 = stat(u.at("h/a"));
      Stat c0 = stat(u.at("h/c"));
      assertAll("before any change",
          () -> assertEquals(a0.ino(), stat(u.at("h/b")).ino(), "a and b are one inode"),
          () -> assertEquals(2, a0.nlink()),
          () -> assertEquals(3, stat(u.at("t/t1")).nlink()));

      append(u.at("h/a"), "+more"); // copies a up, through the index
      assertAll("after appending through h/a",
          () -> assertEquals("data+more", read(u.at("h/b")), "the other name's data"),
          () -> assertEquals("data+more", read(u.at("h/a"))),
          () -> assertEquals(a0.ino(), stat(u.at("h/a")).ino(), "h/a's inode number"),
          () -> assertEquals(a0.ino(), stat(u.at("h/b")).ino(), "h/b's inode number"),
          () -> assertEquals(2, stat(u.at("h/a")).nlink(), "h/a's st_nlink"),
          () -> assertEquals(2, stat(u.at("h/b")).nlink(), "h/b's st_nlink"),
          () -> assertEquals(9, stat(u.at("h/b")).size(), "h/b's size"));
      Path index = u.upper().resolve(BeyondFacts.WORK_DIR).resolve("index");
      List<Path> entries;
      try (Stream<Path> s = Files.list(index)) {
        entries = s.toList();
      }
      assertEquals(1, entries.size(), "index entries after one copy-up: " + entries);
      long upperIno = stat(u.upper().resolve("h/a")).ino();
      assertEquals(stat(entries.get(0)).ino(), upperIno, "upper h/a is a link to the index copy");
      if (exists(u.upper().resolve("h/b"))) {
        assertEquals(upperIno, stat(u.upper().resolve("h/b")).ino(), "upper h/b, where present, is the same inode");
      }

      Syscalls.link(u.at("h/c"), u.at("h/c2")).requireOk(); // link(2) on a lower file
      append(u.at("h/c2"), "!");
      assertAll("after link(h/c, h/c2) and appending through h/c2",
          () -> assertEquals("c!", read(u.at("h/c"))),
          () -> assertEquals(c0.ino(), stat(u.at("h/c")).ino(), "h/c's inode number"),
          () -> assertEquals(c0.ino(), stat(u.at("h/c2")).ino(), "h/c2's inode number"),
          () -> assertEquals(2, stat(u.at("h/c")).nlink()),
          () -> assertEquals(2, stat(u.at("h/c2")).nlink()));

      Syscalls.link(u.at("h/a"), u.at("h/a3")).requireOk();
      assertAll("after link(h/a, h/a3)",
          () -> assertEquals(3, stat(u.at("h/a")).nlink()),
          () -> assertEquals(3, stat(u.at("h/b")).nlink(), "the name still in the lower"),
          () -> assertEquals(3, stat(u.at("h/a3")).nlink()),
          () -> assertEquals(a0.ino(), stat(u.at("h/a3")).ino()));
      Syscalls.unlink(u.at("h/b")).requireOk();
      assertAll("after unlink(h/b)",
          () -> assertFalse(exists(u.at("h/b"))),
          () -> assertEquals(2, stat(u.at("h/a")).nlink()),
          () -> assertEquals(2, stat(u.at("h/a3")).nlink()),
          () -> assertEquals("data+more", read(u.at("h/a3"))));

      append(u.at("u/u2"), "+"); // the middle name of three
      Syscalls.unlink(u.at("u/u3")).requireOk();
      assertAll("three names: copy-up of u2, then unlink(u3)",
          () -> assertEquals("u+", read(u.at("u/u1"))),
          () -> assertEquals(2, stat(u.at("u/u1")).nlink()),
          () -> assertEquals(2, stat(u.at("u/u2")).nlink()));
      // The kernel may send this chmod for either name (on libfuse 3 both names are one node), so
      // u1 may or may not get an upper name of its own; where it has one, it is the index's inode.
      Syscalls.chmod(u.at("u/u1"), 0640).requireOk();
      if (exists(u.upper().resolve("u/u1"))) {
        assertEquals(stat(u.upper().resolve("u/u2")).ino(), stat(u.upper().resolve("u/u1")).ino(),
            "the upper holds one inode for u1 and u2");
      }
      assertAll("chmod through the second name of a copied-up file",
          () -> assertEquals(0640, stat(u.at("u/u2")).perm(), "chmod through u1 seen through u2"),
          () -> assertEquals(0640, stat(u.at("u/u1")).perm(), "and through u1"),
          () -> assertEquals(2, stat(u.at("u/u1")).nlink()),
          () -> assertEquals("u+", read(u.at("u/u1"))));

      List<String> names = List.of("h/a", "h/a3", "h/c", "h/c2", "u/u1", "u/u2", "t/t1", "t/t2", "t/t3");
      Map<String, String> before = picture(u, names);
      long down = BeyondFacts.time(u::unmount);
      long up = BeyondFacts.time(u::mount);
      System.out.println("[beyond] " + system + " hard links: unmount " + BeyondFacts.ms(down) + ", mount " + BeyondFacts.ms(up));
      assertEquals(before, picture(u, names), "names, data, inode numbers and link counts after a remount");
    } finally {
      u.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("unlink of one name of a lower hard link that was never copied up lowers the others' st_nlink")
  void unlinkWithoutCopyUpDecrementsLinkCount(UnionSystem system, @TempDir Path tmp) throws IOException {
    RelUnion u = fill(tmp, system).withArgs("--cache-ttl", "0s");
    lowers.watch(u.lowers());
    try {
      u.mount();
      Syscalls.unlink(u.at("t/t2")).requireOk();
      assertAll("lower t1, t2, t3 are one file; t2 unlinked through the union",
          () -> assertFalse(exists(u.at("t/t2"))),
          () -> assertEquals(2, stat(u.at("t/t1")).nlink(), "t1's st_nlink"),
          () -> assertEquals(2, stat(u.at("t/t3")).nlink(), "t3's st_nlink"));
      append(u.at("t/t3"), "+");
      assertAll("then t3 copied up",
          () -> assertEquals("t+", read(u.at("t/t1"))),
          () -> assertEquals(2, stat(u.at("t/t1")).nlink(), "t1's st_nlink after the copy-up"),
          () -> assertEquals(2, stat(u.at("t/t3")).nlink(), "t3's st_nlink after the copy-up"));
    } finally {
      u.close();
    }
  }

  /**
   * On libfuse 3 (the default) the node table gives every name of a file one node, so the kernel
   * keeps one inode for them: a change through one name shows through the others at once, with
   * the default TTL (libfuse2 kept an inode per name, and the other names caught up only when
   * their attributes expired).
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("with the default TTL the other name shows the size, st_nlink and data at once (one node per file)")
  void defaultTtl_otherNameAtOnce(UnionSystem system, @TempDir Path tmp) throws IOException {
    RelUnion u = fill(tmp, system);
    lowers.watch(u.lowers());
    try {
      u.mount();
      assertEquals(4, stat(u.at("h/b")).size()); // the kernel now holds h/b's attributes
      append(u.at("h/a"), "+more");
      Syscalls.link(u.at("h/a"), u.at("h/a3")).requireOk();
      Stat b = stat(u.at("h/b"));
      assertAll(
          () -> assertEquals(9, b.size(), "h/b's size right after the append through h/a"),
          () -> assertEquals(3, b.nlink(), "h/b's st_nlink right after the link of h/a"),
          () -> assertEquals("data+more", read(u.at("h/b"))),
          () -> assertEquals(stat(u.at("h/a")).ino(), stat(u.at("h/a3")).ino()));
    } finally {
      u.close();
    }
  }
}
