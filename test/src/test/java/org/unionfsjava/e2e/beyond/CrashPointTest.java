package org.unionfsjava.e2e.beyond;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.unionfsjava.e2e.support.Fixture.dir;
import static org.unionfsjava.e2e.support.Fixture.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.unionfsjava.e2e.support.BeyondFacts;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.LowersUnchanged;
import org.unionfsjava.e2e.support.RelUnion;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.TreeSnapshot;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Issue 3.1, crash in the middle: the daemon runs with {@code -Dunionfs.crash-at=POINT} (through
 * the launcher's {@code UNIONFS_JAVA_OPTS}, as {@link RelUnion} passes it) and halts like SIGKILL
 * when an operation reaches that point; the operation fails (the mount is dead), the dead mount is
 * cleared, the same branches are mounted again without the crash point, and the whole merged tree
 * must be exactly the tree before the operation or the tree after it: a renamed directory at its
 * old name or at its new name (never both, never neither, always with all its lower content), a
 * copied-up file with its old or its new content (never partial), no temporary or internal name,
 * an empty temp area in the work directory, the lowers unchanged.
 *
 * <p>A point the operation does not reach on this upper (overlay renames use RENAME_WHITEOUT and
 * never get to {@code whiteout.after-marker}) lets it complete; the tree must then be the new one.
 * CI runs the points each operation reaches first or that matter most; {@code
 * -Dunionfs.long=true} runs every (operation, point) pair.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@DisplayName("beyond overlayfs: crash points inside rename, copy-up, whiteout and create")
class CrashPointTest {
  static final boolean LONG = Boolean.getBoolean("unionfs.long");
  static final String JVM = "-XX:TieredStopAtLevel=1";
  static final byte[] BIG = Fixture.bytes(3 << 20, 7);
  static final byte[] APPENDED = "appended".getBytes(StandardCharsets.UTF_8);

  @RegisterExtension
  final LowersUnchanged lowers = new LowersUnchanged();

  /** An operation through the union that a crash point can interrupt. */
  enum Op {
    /** rename(2) of the lower directory d (20 files, a subdirectory) to e. */
    DIR_RENAME(List.of("rename.after-copyup", "rename.after-redirect", "rename.before-final",
        "whiteout.after-marker", "copyup.after-rename"), List.of("copyup.after-data")) {
      @Override
      Syscalls.Call apply(RelUnion u) {
        return Syscalls.rename(u.at("d"), u.at("e"));
      }

      @Override
      Map<String, String> after(Map<String, String> before) {
        return renamed(before, "d", "e");
      }
    },
    /** rename(2) of the lower file r to r2. */
    FILE_RENAME(List.of(), List.of("copyup.after-data", "copyup.after-rename", "rename.after-copyup",
        "rename.before-final", "whiteout.after-marker")) {
      @Override
      Syscalls.Call apply(RelUnion u) {
        return Syscalls.rename(u.at("r"), u.at("r2"));
      }

      @Override
      Map<String, String> after(Map<String, String> before) {
        return renamed(before, "r", "r2");
      }
    },
    /** Appending to the 3 MiB lower file f (a full copy-up). */
    APPEND(List.of("copyup.after-data", "copyup.after-rename"), List.of()) {
      @Override
      Syscalls.Call apply(RelUnion u) {
        try {
          Files.write(u.at("f"), APPENDED, StandardOpenOption.APPEND);
          return new Syscalls.Call("append", 0, null);
        } catch (IOException e) {
          return new Syscalls.Call("append", -1, e.toString());
        }
      }

      @Override
      Map<String, String> after(Map<String, String> before) {
        Map<String, String> m = new TreeMap<>(before);
        byte[] all = new byte[BIG.length + APPENDED.length];
        System.arraycopy(BIG, 0, all, 0, BIG.length);
        System.arraycopy(APPENDED, 0, all, BIG.length, APPENDED.length);
        m.put("f", "file 644 " + sha16(all));
        return m;
      }
    },
    /** unlink(2) of the lower file x (a whiteout). */
    UNLINK(List.of("whiteout.after-marker"), List.of()) {
      @Override
      Syscalls.Call apply(RelUnion u) {
        return Syscalls.unlink(u.at("x"));
      }

      @Override
      Map<String, String> after(Map<String, String> before) {
        Map<String, String> m = new TreeMap<>(before);
        m.remove("x");
        return m;
      }
    },
    /** rmdir(2) of the empty lower directory rd (a whiteout). */
    RMDIR(List.of(), List.of("whiteout.after-marker")) {
      @Override
      Syscalls.Call apply(RelUnion u) {
        return Syscalls.rmdir(u.at("rd"));
      }

      @Override
      Map<String, String> after(Map<String, String> before) {
        Map<String, String> m = new TreeMap<>(before);
        m.remove("rd");
        return m;
      }
    },
    /** mkdir(2) over a whiteout of the lower directory w (made in the upper before mounting). */
    CREATE_OVER_WHITEOUT(List.of("create.after-temp"), List.of()) {
      @Override
      Syscalls.Call apply(RelUnion u) {
        return Syscalls.mkdir(u.at("w"), 0755);
      }

      @Override
      Map<String, String> after(Map<String, String> before) {
        Map<String, String> m = new TreeMap<>(before);
        m.put("w", "dir 755");
        return m;
      }
    };

    final List<String> ciPoints;
    final List<String> longPoints;

    Op(List<String> ciPoints, List<String> longPoints) {
      this.ciPoints = ciPoints;
      this.longPoints = longPoints;
    }

    abstract Syscalls.Call apply(RelUnion u);

    /** The tree after the operation completed, from the tree before it. */
    abstract Map<String, String> after(Map<String, String> before);
  }

  static Map<String, String> renamed(Map<String, String> before, String from, String to) {
    Map<String, String> m = new TreeMap<>();
    before.forEach((k, v) -> {
      if (k.equals(from)) {
        m.put(to, v);
      } else if (k.startsWith(from + "/")) {
        m.put(to + k.substring(from.length()), v);
      } else {
        m.put(k, v);
      }
    });
    return m;
  }

  static String sha16(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)).substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (UnionSystem s : List.of(UnionSystem.JAVA_OVERLAY, UnionSystem.JAVA_AUFS)) {
      for (Op op : Op.values()) {
        op.ciPoints.forEach(p -> out.add(Arguments.of(s, op, p)));
        if (LONG) {
          op.longPoints.forEach(p -> out.add(Arguments.of(s, op, p)));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1} at {2}")
  @MethodSource("cases")
  void crashLeavesOldOrNewTree(UnionSystem system, Op op, String point, @TempDir Path tmp) throws Exception {
    SystemSelection.assumeSelected(system);
    RelUnion u = RelUnion.create(tmp, 1, system);
    Path l = u.lower(1);
    for (int i = 0; i < 20; i++) {
      file(l.resolve("d/f" + i), "d" + i);
    }
    file(l.resolve("d/sub/s"), "s");
    file(l.resolve("f"), BIG);
    file(l.resolve("r"), "r");
    file(l.resolve("x"), "x");
    file(l.resolve("w/inside"), "must stay hidden");
    dir(l.resolve("rd"));
    file(l.resolve("keep/k"), "k");
    BeyondFacts.makeWhiteout(system.whiteoutFormat(), u.upper(), "w");
    lowers.watch(u.lowers());
    try {
      u.javaOpts(JVM + " -Dunionfs.crash-at=" + point).mount();
      Map<String, String> before = TreeSnapshot.of(u.mnt(), false);
      Map<String, String> after = op.after(before);
      Syscalls.Call result = op.apply(u);
      boolean died = BeyondFacts.eventually(Duration.ofSeconds(10), () -> !u.alive());
      if (died) {
        assertTrue(!result.ok(), op + " succeeded although the daemon halted at " + point);
        u.kill();
        u.clearDeadMount();
      } else {
        assertEquals("OK", result.outcome(), op + " with " + point + " armed but not reached");
        System.out.println("[beyond] " + system + " " + op + ": " + point + " not reached, the operation completed");
        u.unmount();
      }
      u.javaOpts(JVM).mount();
      Map<String, String> now = TreeSnapshot.of(u.mnt(), false);
      if (!now.equals(before) && !now.equals(after)) {
        fail("after a crash at " + point + " in " + op + " the tree is neither the old nor the new one.\n"
            + "  differences from the old tree: " + diff(before, now) + "\n"
            + "  differences from the new tree: " + diff(after, now) + "\n  upper: " + listing(u.upper()));
      }
      try (Stream<Path> s = Files.list(u.workDir().resolve("tmp"))) {
        assertEquals(List.of(), s.toList(), "temporaries left in the work directory after the mount");
      }
      System.out.println("[beyond] " + system + " " + op + " crash at " + point + ": "
          + (now.equals(before) ? "old tree" : "new tree"));
    } finally {
      u.close();
    }
  }

  static List<String> diff(Map<String, String> expected, Map<String, String> actual) {
    List<String> out = new ArrayList<>();
    for (String k : new java.util.TreeSet<>(expected.keySet())) {
      if (!actual.containsKey(k)) {
        out.add("missing " + k);
      } else if (!expected.get(k).equals(actual.get(k))) {
        out.add("changed " + k + ": " + expected.get(k) + " -> " + actual.get(k));
      }
    }
    actual.keySet().stream().filter(k -> !expected.containsKey(k)).forEach(k -> out.add("extra " + k));
    return out.size() > 12 ? List.copyOf(out.subList(0, 12)) : out;
  }

  static String listing(Path upper) {
    try (Stream<Path> s = Files.walk(upper, 2)) {
      return s.map(p -> upper.relativize(p).toString()).filter(p -> !p.startsWith(".unionfs-java")).sorted().toList().toString();
    } catch (IOException e) {
      return e.toString();
    }
  }
}
