package org.unionfsjava.e2e.beyond;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.unionfsjava.e2e.support.Fixture.file;
import static org.unionfsjava.e2e.support.Fixture.stat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.Fixture.Stat;
import org.unionfsjava.e2e.support.BeyondFacts;
import org.unionfsjava.e2e.support.LowersUnchanged;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.RelUnion;
import org.unionfsjava.e2e.support.TreeSnapshot;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Issue 3.3, seen by the tools that rely on inode numbers: after copy-ups (a hard-linked file, a
 * metadata-only chmod) and a directory rename, {@code find}, {@code tar -c} (no "file changed as
 * we read it", hard links stored as links), {@code du} (hard links counted once, and every time
 * with {@code -l}), {@code rsync -aH} (hard links preserved in the copy) and {@code git status}
 * in a repository committed in the lower (clean after mount and after remount, exactly the edited
 * file after an edit) all see one consistent tree.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@DisplayName("beyond overlayfs: find, tar, du, rsync -aH and git status see a consistent tree")
class ToolsSeeConsistentTreeTest {
  static final Duration T = Duration.ofSeconds(60);

  @RegisterExtension
  final LowersUnchanged lowers = new LowersUnchanged();

  static Processes.Result sh(String script) {
    return Processes.sh(T, script);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void toolsAgree(UnionSystem system, @TempDir Path tmp) throws IOException {
    SystemSelection.assumeSelected(system);
    RelUnion u = RelUnion.create(tmp.resolve("u"), 1, system).javaOpts(BeyondFacts.FAST_START);
    Path l = u.lower(1);
    for (int i = 0; i < 20; i++) {
      file(l.resolve("tree/dir" + (i % 4) + "/f" + i), "content " + i);
      file(l.resolve("repo/src/file" + i + ".txt"), "line " + i + "\n");
    }
    file(l.resolve("tree/h1"), "hard");
    Files.createLink(l.resolve("tree/h2"), l.resolve("tree/h1"));
    file(l.resolve("tree/k1"), "kept in the lower");
    Files.createLink(l.resolve("tree/k2"), l.resolve("tree/k1"));
    Files.createSymbolicLink(l.resolve("tree/link"), Path.of("h1"));
    sh("cd '" + l.resolve("repo") + "' && git init -q && git add . && git -c user.name=t -c user.email=t@example.org "
        + "commit -qm init").requireSuccess("git commit in the lower");
    lowers.watch(u.lowers());
    Path mnt = u.mnt();
    try {
      u.mount();
      Files.writeString(u.at("tree/h1"), "+", StandardOpenOption.APPEND); // index copy-up
      Syscalls.chmod(u.at("tree/dir1/f1"), 0600).requireOk(); // metadata-only copy-up
      Syscalls.rename(u.at("tree/dir2"), u.at("tree/dir2b")).requireOk(); // redirect

      Processes.Result find = sh("find '" + mnt + "' -printf '%i %n %p\\n'");
      long walked;
      try (Stream<Path> s = Files.walk(mnt)) {
        walked = s.count();
      }
      assertEquals(0, find.exit(), find.stderr());
      assertEquals("", find.stderr(), "find's complaints");
      assertEquals(walked, find.stdout().lines().count(), "entries find lists against a Java walk");

      Path tar = tmp.resolve("out.tar");
      Processes.Result tarc = sh("tar -cf '" + tar + "' -C '" + mnt + "' .");
      assertAll("tar -c",
          () -> assertEquals(0, tarc.exit(), tarc.stderr()),
          () -> assertEquals("", tarc.stderr(), "tar's warnings (file changed as we read it, ...)"));
      String listing = sh("tar -tvf '" + tar + "'").requireSuccess("tar -t").stdout();
      assertEquals(2, listing.lines().filter(x -> x.contains(" link to ")).count(),
          "hard links tar stored as links (h2 or h1, k2 or k1):\n" + listing);

      long unique = 0;
      long all = 0;
      Map<Long, Boolean> seen = new HashMap<>();
      try (Stream<Path> s = Files.walk(mnt)) {
        for (Path p : s.toList()) {
          Stat st = stat(p);
          long size = st.size();
          all += size;
          if (seen.put(st.ino(), true) == null) {
            unique += size;
          }
        }
      }
      long du = Long.parseLong(sh("du -sb '" + mnt + "'").requireSuccess("du").stdout().split("\\s")[0]);
      long duL = Long.parseLong(sh("du -sbl '" + mnt + "'").requireSuccess("du -l").stdout().split("\\s")[0]);
      long fu = unique;
      long fa = all;
      assertAll("du --apparent-size",
          () -> assertEquals(fu, du, "du -sb: each inode once"),
          () -> assertEquals(fa, duL, "du -sbl: every name"));

      Path copy = tmp.resolve("copy");
      Processes.Result rsync = sh("rsync -aH '" + mnt + "/' '" + copy + "/'");
      assertEquals(0, rsync.exit(), rsync.stderr());
      assertAll("rsync -aH copy",
          () -> assertEquals(TreeSnapshot.of(mnt, false), TreeSnapshot.of(copy, false)),
          () -> assertEquals(stat(copy.resolve("tree/h1")).ino(), stat(copy.resolve("tree/h2")).ino(), "h1, h2 one file"),
          () -> assertEquals(2, stat(copy.resolve("tree/h1")).nlink()),
          () -> assertEquals(stat(copy.resolve("tree/k1")).ino(), stat(copy.resolve("tree/k2")).ino(), "k1, k2 one file"),
          () -> assertEquals(2, stat(copy.resolve("tree/k2")).nlink()),
          () -> assertEquals("hard+", Files.readString(copy.resolve("tree/h2"))));

      String git = "git -c safe.directory='*' -C '" + u.at("repo") + "' status --porcelain";
      assertEquals("", sh(git).requireSuccess("git status").stdout(), "git status right after mount");
      u.unmount();
      u.mount();
      assertEquals("", sh(git).requireSuccess("git status").stdout(), "git status after a remount");
      Files.writeString(u.at("repo/src/file7.txt"), "changed\n", StandardOpenOption.APPEND);
      assertEquals(List.of(" M src/file7.txt"), sh(git).requireSuccess("git status").stdout().lines().toList(),
          "git status after editing one file");
    } finally {
      u.close();
    }
  }
}
