package org.unionfsjava.e2e.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.BranchChecksum;
import org.unionfsjava.e2e.support.ChangeScript;
import org.unionfsjava.e2e.support.LowersUnchanged;
import org.unionfsjava.e2e.support.PosixExtras;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.TreeSnapshot;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * DESIGN §2 "Lowers are never written", asserted directly: every object of two lowers (a random
 * tree and the {@link ChangeScript} tree) is changed through the union in every way that
 * triggers copy-up (write, append, truncate, chmod, utimes, set xattr, link, rename) and then
 * everything is deleted; after unmount, and again after a second mount that reads everything,
 * the fingerprint of each lower ({@link BranchChecksum}: paths, kinds, modes, owners, inodes,
 * link counts, mtimes and ctimes in ns, content hashes, xattrs) is what it was before the mount.
 * A failing call is reported too, after the lower check.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LowersUnchangedTest {
  @TempDir
  Path tmp;

  @RegisterExtension
  final LowersUnchanged watcher = new LowersUnchanged();

  @ParameterizedTest(name = "{0}")
  @EnumSource(UnionSystem.class)
  void touchingEveryLowerObjectThroughTheUnionLeavesTheLowersUnchanged(UnionSystem system) throws IOException {
    SystemSelection.assumeSelected(system);
    TestUnion u = TestUnion.create(tmp.resolve("u"), 3, system);
    ChangeScript.fillLowers(u.lowers().subList(0, 2));
    LowerTree.fill(7, List.of(u.lower(3)));
    Map<Path, Map<String, String>> before = new LinkedHashMap<>();
    for (Path l : u.lowers()) {
      before.put(l, BranchChecksum.of(l));
    }
    watcher.watch(u.lowers());
    List<String> failedCalls = new ArrayList<>();
    int objects;
    try (u) {
      u.mount();
      objects = touchEverything(u.mnt(), failedCalls);
      u.unmount();
      assertLowers(system + " after changing and deleting everything", before);
      u.mount();
      TreeSnapshot.of(u.mnt(), true); // read all that is left, again
      u.unmount();
    }
    assertLowers(system + " after a second mount", before);
    assertTrue(objects >= 30, "touched only " + objects + " objects");
    if (!failedCalls.isEmpty()) {
      fail(system + ": the lowers are unchanged, but " + failedCalls.size() + " calls through the union failed:\n  "
          + String.join("\n  ", failedCalls.subList(0, Math.min(40, failedCalls.size()))));
    }
  }

  private static void assertLowers(String when, Map<Path, Map<String, String>> before) {
    before.forEach((lower, fp) -> assertEquals(List.of(), BranchChecksum.diff(fp, BranchChecksum.of(lower)),
        when + ": lower " + lower.getFileName() + " changed"));
  }

  /** Changes every visible object in every way, then deletes the whole tree; the count of objects. */
  private static int touchEverything(Path mnt, List<String> failed) throws IOException {
    List<Path> all;
    try (Stream<Path> s = Files.walk(mnt)) {
      all = s.filter(p -> !p.equals(mnt)).sorted().toList();
    }
    long t = 1_111_111_111_222_333_444L;
    for (Path p : all) {
      String rel = mnt.relativize(p).toString();
      if (Files.isSymbolicLink(p)) {
        check(failed, rel, PosixExtras.utimens(p, t, t, true));
      } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        check(failed, rel, Syscalls.chmod(p, 0700));
        check(failed, rel, Syscalls.setxattr(p, "user.touched", "dir"));
        check(failed, rel, PosixExtras.utimens(p, t, t, false));
      } else {
        check(failed, rel, Syscalls.chmod(p, 0600));
        check(failed, rel, Syscalls.setxattr(p, "user.touched", "file"));
        check(failed, rel, PosixExtras.utimens(p, t, t, false));
        check(failed, rel, Syscalls.openClose(p, Syscalls.O_RDWR, 0)); // open for write without writing
        Syscalls.Call fd = Syscalls.open(p, Syscalls.O_WRONLY | Syscalls.O_APPEND, 0);
        check(failed, rel, fd);
        if (fd.ok()) {
          check(failed, rel, Syscalls.write((int) fd.ret(), "appended\n".getBytes()));
          check(failed, rel, Syscalls.close((int) fd.ret()));
        }
        check(failed, rel, Syscalls.truncate(p, 1));
      }
    }
    for (Path p : all) {
      if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        String rel = mnt.relativize(p).toString();
        Path linked = p.resolveSibling(p.getFileName() + ".lnk");
        check(failed, rel, Syscalls.link(p, linked));
        check(failed, rel, Syscalls.rename(linked, p.resolveSibling(p.getFileName() + ".mv")));
      }
    }
    List<Path> now;
    try (Stream<Path> s = Files.walk(mnt)) {
      now = s.filter(p -> !p.equals(mnt)).sorted(Comparator.reverseOrder()).toList();
    }
    for (Path p : now) {
      String rel = mnt.relativize(p).toString();
      check(failed, rel, Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? Syscalls.rmdir(p) : Syscalls.unlink(p));
    }
    try (Stream<Path> s = Files.list(mnt)) {
      List<Path> left = s.toList();
      if (!left.isEmpty()) {
        failed.add("after deleting everything the union still shows " + left);
      }
    }
    return all.size();
  }

  private static void check(List<String> failed, String rel, Syscalls.Call c) {
    if (!c.ok()) {
      failed.add(rel + ": " + c);
    }
  }
}
