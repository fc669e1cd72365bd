package org.unionfsjava.e2e.beyond;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.unionfsjava.e2e.support.Fixture.dir;
import static org.unionfsjava.e2e.support.Fixture.file;
import static org.unionfsjava.e2e.support.Fixture.names;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.BeyondFacts;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.LowersUnchanged;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.RelUnion;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.TreeSnapshot;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Issue 3.1, persistence: after a series of directory renames (a chain, a new directory at the
 * first name, a subdirectory moved out of a renamed directory, a rename over an empty directory,
 * files created and deleted inside, a metadata-only copy inside a directory renamed afterwards), unmounting and mounting again shows exactly the same tree;
 * and for the overlay format kernel overlayfs ({@code redirect_dir=on,metacopy=on}) over the
 * same upper and lower shows that tree too (unionfs-java's work directory aside).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@DisplayName("beyond overlayfs: renamed directories survive remount and read the same in kernel overlayfs")
class DirectoryRenameRemountTest {
  @RegisterExtension
  final LowersUnchanged lowers = new LowersUnchanged();

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void remountAndKernelShowTheSameTree(UnionSystem system, @TempDir Path tmp) {
    SystemSelection.assumeSelected(system);
    RelUnion u = RelUnion.create(tmp, 1, system).javaOpts(BeyondFacts.FAST_START);
    Path l = u.lower(1);
    for (int i = 0; i < 50; i++) {
      file(l.resolve("a/f" + i), "a" + i);
    }
    file(l.resolve("a/sub/s"), "s");
    file(l.resolve("a/sub/deeper/t"), "t");
    file(l.resolve("a/gone"), "gone");
    file(l.resolve("p/q/r"), "r");
    file(l.resolve("src/x"), "x");
    dir(l.resolve("empty"));
    file(l.resolve("mc/data"), "data stays in the lower");
    lowers.watch(u.lowers());
    Map<String, String> tree;
    try {
      u.mount();
      Syscalls.rename(u.at("a"), u.at("b")).requireOk();
      Syscalls.rename(u.at("b"), u.at("c")).requireOk();
      Syscalls.mkdir(u.at("a"), 0755).requireOk();
      file(u.at("a/fresh"), "fresh");
      Syscalls.rename(u.at("c/sub"), u.at("moved")).requireOk();
      Syscalls.unlink(u.at("c/gone")).requireOk();
      file(u.at("c/new"), "new");
      file(u.at("moved/deeper/u"), "u");
      Syscalls.rename(u.at("src"), u.at("empty")).requireOk();
      Syscalls.rename(u.at("p/q"), u.at("pq")).requireOk();
      Syscalls.chmod(u.at("mc/data"), 0600).requireOk(); // a metadata-only copy ...
      Syscalls.rename(u.at("mc"), u.at("mc2")).requireOk(); // ... in a directory renamed afterwards
      tree = TreeSnapshot.of(u.mnt(), false);
      assertAll(
          () -> assertEquals(List.of("a", "c", "empty", "mc2", "moved", "p", "pq"), names(u.mnt())),
          () -> assertEquals(51, names(u.at("c")).size(), "50 files and new; not sub or gone"),
          () -> assertEquals(List.of("deeper", "s"), names(u.at("moved"))),
          () -> assertEquals(List.of("t", "u"), names(u.at("moved/deeper"))),
          () -> assertEquals("data stays in the lower", Fixture.read(u.at("mc2/data"))));
      u.unmount();
      u.mount();
      Map<String, String> again = TreeSnapshot.of(u.mnt(), false);
      assertEquals(tree, again, "the tree after unmount and mount");
    } finally {
      u.close();
    }
    if (system == UnionSystem.JAVA_OVERLAY) {
      SystemSelection.assumeSelected(UnionSystem.KERNEL_OVERLAY);
      try (TestUnion kernel = BeyondFacts.kernelOver(u)) {
        assertEquals(tree, BeyondFacts.treeWithoutWorkDir(kernel.mnt()),
            "kernel overlayfs (redirect_dir=on,metacopy=on) over the upper unionfs-java wrote");
      }
    }
  }
}
