package org.unionfsjava.e2e.beyond;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.e2e.support.Fixture.file;
import static org.unionfsjava.e2e.support.Fixture.stat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.BeyondFacts;
import org.unionfsjava.e2e.support.LowersUnchanged;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.RelUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Issue 3.3: stable, unique inode numbers. A path keeps its st_ino across copy-up (write),
 * metadata-only copy-up (chmod), rename (of the file, and of its lower directory), and unmount
 * and mount; within one mount no two distinct objects share a number (hard links do); readdir's
 * d_ino agrees with st_ino. Also for a lower that was once an upper (its copied-up files carry
 * the origin unionfs-java records), the stack tools like container layers build.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@DisplayName("beyond overlayfs: stable, unique inode numbers")
class InodeNumberTest {
  @RegisterExtension
  final LowersUnchanged lowers = new LowersUnchanged();

  /** Every path of the mount (the root as "") with its st_ino. */
  static Map<String, Long> inodes(Path mnt) throws IOException {
    Map<String, Long> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(mnt)) {
      for (Path p : s.toList()) {
        m.put(mnt.relativize(p).toString(), stat(p).ino());
      }
    }
    return m;
  }

  /** Numbers shared by more than one path, except the groups that are hard links of one file. */
  static List<String> collisions(Map<String, Long> inodes, List<Set<String>> linkGroups) {
    Map<Long, Set<String>> byIno = new TreeMap<>();
    inodes.forEach((p, ino) -> byIno.computeIfAbsent(ino, k -> new TreeSet<>()).add(p));
    List<String> out = new ArrayList<>();
    byIno.forEach((ino, paths) -> {
      if (paths.size() > 1 && linkGroups.stream().noneMatch(g -> g.containsAll(paths))) {
        out.add(ino + " -> " + paths);
      }
    });
    return out;
  }

  /** name -> d_ino of a directory's entries, as ls -i reads them from readdir. */
  static Map<String, Long> direntInodes(Path dir) {
    Processes.Result r = Processes.run(Duration.ofSeconds(30), "ls", "-1iUA", dir.toString())
        .requireSuccess("ls -i " + dir);
    Map<String, Long> m = new TreeMap<>();
    for (String line : r.stdout().split("\n")) {
      String t = line.trim();
      if (!t.isEmpty()) {
        int sp = t.indexOf(' ');
        m.put(t.substring(sp + 1), Long.parseLong(t.substring(0, sp)));
      }
    }
    return m;
  }

  static Map<String, Long> statInodes(Path dir) throws IOException {
    Map<String, Long> m = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        m.put(p.getFileName().toString(), stat(p).ino());
      }
    }
    return m;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("st_ino survives write, chmod, rename and remount; no two objects share one; d_ino = st_ino")
  void stableAndUnique(UnionSystem system, @TempDir Path tmp) throws IOException {
    SystemSelection.assumeSelected(system);
    RelUnion u = RelUnion.create(tmp, 2, system).javaOpts(BeyondFacts.FAST_START);
    Path l1 = u.lower(1);
    Path l2 = u.lower(2);
    for (int i = 0; i < 30; i++) {
      file(l1.resolve("tree/a/f" + i), "a" + i);
      file(l2.resolve("tree/b/g" + i), "b" + i);
    }
    file(l1.resolve("w"), "write me");
    file(l1.resolve("m"), "chmod me");
    file(l1.resolve("r"), "rename me");
    file(l2.resolve("w2"), "write me, from lower2");
    file(l1.resolve("d/x"), "x");
    file(l2.resolve("d/y"), "y");
    file(l1.resolve("h1"), "hard");
    Files.createLink(l1.resolve("h2"), l1.resolve("h1"));
    Files.createSymbolicLink(l1.resolve("s"), Path.of("w"));
    Syscalls.mknod(l1.resolve("fifo"), Syscalls.S_IFIFO | 0644, 0, 0).requireOk();
    lowers.watch(u.lowers());
    List<Set<String>> linkGroups = List.of(Set.of("h1", "h2"));
    try {
      u.mount();
      Map<String, Long> first = inodes(u.mnt());
      assertEquals(List.of(), collisions(first, linkGroups), "numbers shared by distinct objects, before any change");

      Files.writeString(u.at("w"), "written", java.nio.file.StandardOpenOption.APPEND);
      Files.writeString(u.at("w2"), "written", java.nio.file.StandardOpenOption.APPEND);
      Syscalls.chmod(u.at("m"), 0600).requireOk();
      Syscalls.chmod(u.at("tree/b/g3"), 0600).requireOk();
      Syscalls.rename(u.at("r"), u.at("r2")).requireOk();
      Syscalls.rename(u.at("d"), u.at("d2")).requireOk();
      Files.writeString(u.at("h2"), "!", java.nio.file.StandardOpenOption.APPEND);
      for (int i = 0; i < 20; i++) {
        file(u.at("tree/new" + i), "n" + i);
      }
      Syscalls.mkdir(u.at("d"), 0755).requireOk();
      Map<String, Long> expect = new TreeMap<>(first);
      expect.put("r2", expect.remove("r"));
      expect.put("d2", expect.remove("d"));
      expect.put("d2/x", expect.remove("d/x"));
      expect.put("d2/y", expect.remove("d/y"));
      Map<String, Long> now = inodes(u.mnt());
      List<String> changed = new ArrayList<>();
      expect.forEach((p, ino) -> {
        if (!ino.equals(now.get(p))) {
          changed.add(p + ": " + ino + " -> " + now.get(p));
        }
      });
      assertEquals(List.of(), changed, "paths whose st_ino changed across write/chmod/rename (r->r2, d->d2)");
      assertEquals(List.of(), collisions(now, linkGroups), "numbers shared by distinct objects, after the changes");
      for (String dir : List.of("", "tree/b", "d2")) {
        assertEquals(statInodes(u.at(dir)), direntInodes(u.at(dir)), "d_ino (ls -i) against st_ino in /" + dir);
      }

      u.unmount();
      u.mount();
      assertEquals(now, inodes(u.mnt()), "every path's st_ino after unmount and mount");
    } finally {
      u.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("a lower that was an upper once: its copied-up file keeps its st_ino when copied up again")
  void lowerThatWasAnUpperKeepsNumbersAcrossCopyUp(UnionSystem system, @TempDir Path tmp) throws IOException {
    SystemSelection.assumeSelected(system);
    RelUnion u = RelUnion.create(tmp, 2, system).javaOpts(BeyondFacts.FAST_START);
    // lower2 is the old base, lower1 the upper of an earlier union over it, in which p was changed:
    // that union recorded p's origin (its branch 1, the base's inode), as CopyUp.recordOrigin does
    Path base = file(u.lower(2).resolve("p"), "old p");
    file(u.lower(1).resolve("p"), "p as changed in the earlier union");
    String originXattr = system == UnionSystem.JAVA_OVERLAY ? "trusted.unionfs.origin" : "user.unionfs.origin";
    Syscalls.setxattr(u.lower(1).resolve("p"), originXattr, "1:" + stat(base).ino()).requireOk();
    file(u.lower(1).resolve("q"), "q");
    lowers.watch(u.lowers());
    try {
      u.mount();
      long before = stat(u.at("p")).ino();
      long q = stat(u.at("q")).ino();
      Files.writeString(u.at("p"), "+", java.nio.file.StandardOpenOption.APPEND);
      long after = stat(u.at("p")).ino();
      assertEquals(before, after, "st_ino of p before and after its copy-up (lower1/p carries the origin "
          + originXattr + "=1:" + stat(base).ino() + " from the earlier union)");
      assertTrue(after != q, "p and q share a number");
    } finally {
      u.close();
    }
  }
}
