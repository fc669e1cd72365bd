package org.unionfsjava.e2e.semantics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.unionfsjava.e2e.support.Fixture.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.Mounts;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.TreeSnapshot;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * The upper is the whole state: after a mix of operations, unmounting and mounting the same
 * branches again shows the same tree (kinds, modes, content, owners, file mtimes in ns), and
 * the lowers were never written. Fresh union per system: state is the point here.
 */
@Timeout(120)
@DisplayName("unmount and mount again shows the same tree")
class RemountTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("after creates, deletes, opaque dirs, renames, links and attribute changes, a remount shows the same tree")
  void remount_afterMixedOperations_sameTree(UnionSystem system) throws IOException {
    SystemSelection.assumeSelected(system);
    try (TestUnion u = TestUnion.create(tmp, 2, system)) {
      Path l1 = u.lower(1);
      Path l2 = u.lower(2);
      file(l1.resolve("keep"), "lower1 keep");
      file(l1.resolve("del"), "lower1 del");
      file(l2.resolve("del"), "lower2 del");
      file(l1.resolve("dir/a"), "a");
      file(l2.resolve("dir/b"), "b");
      file(l2.resolve("opq/old"), "old");
      file(l1.resolve("ren/src"), "src");
      file(l1.resolve("attrs/f"), "attrs");
      file(l2.resolve("tree/x/y/z"), "z");
      Map<String, String> lower1Before = TreeSnapshot.of(l1, true);
      Map<String, String> lower2Before = TreeSnapshot.of(l2, true);
      u.mount();

      Files.delete(u.at("del"));
      Files.writeString(u.at("dir/a"), "+upper", StandardOpenOption.APPEND);
      Files.delete(u.at("dir/b"));
      file(u.at("dir/new"), "new");
      Processes.run(Duration.ofSeconds(30), "rm", "-rf", u.at("opq").toString()).requireSuccess("rm -rf opq");
      Files.createDirectory(u.at("opq"));
      file(u.at("opq/fresh"), "fresh");
      Syscalls.rename(u.at("ren/src"), u.at("ren/dst")).requireOk();
      Syscalls.chmod(u.at("attrs/f"), 0600).requireOk();
      Syscalls.lchown(u.at("attrs/f"), 777, 888).requireOk();
      Fixture.mtime(u.at("attrs/f"), Instant.parse("2012-12-12T12:12:12.121212121Z"));
      Syscalls.setxattr(u.at("attrs/f"), "user.remount", "kept").requireOk();
      Syscalls.symlink("keep", u.at("sym")).requireOk();
      Syscalls.link(u.at("keep"), u.at("hard")).requireOk();
      Processes.run(Duration.ofSeconds(30), "mkfifo", u.at("fifo").toString()).requireSuccess("mkfifo");
      Processes.run(Duration.ofSeconds(60), "mv", u.at("tree").toString(), u.at("moved-tree").toString())
          .requireSuccess("mv tree");

      Map<String, String> before = TreeSnapshot.of(u.mnt(), true);
      long hardLinks = Fixture.stat(u.at("hard")).nlink();
      u.unmount();
      assertNull(Mounts.fsTypeAt(u.mnt()), "unmounted");
      u.mount();

      assertEquals(before, TreeSnapshot.of(u.mnt(), true), "tree after remount");
      assertEquals("kept", Syscalls.xattrValue(u.at("attrs/f"), "user.remount"), "xattr after remount");
      assertEquals(hardLinks, Fixture.stat(u.at("hard")).nlink(), "nlink after remount");
      assertEquals(lower1Before, TreeSnapshot.of(l1, true), "lower1 never written");
      assertEquals(lower2Before, TreeSnapshot.of(l2, true), "lower2 never written");
    }
  }
}
