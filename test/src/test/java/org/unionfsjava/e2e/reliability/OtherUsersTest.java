package org.unionfsjava.e2e.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.BranchChecksum;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.RelUnion;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Other users: the union is mounted by root (the CLI then sets allow_other and
 * default_permissions), and a script runs as nobody (65534:65534, no supplementary groups, via
 * {@code setpriv}) on the union and on a plain directory with the same starting tree. The user
 * must be able to do exactly what the modes allow: write own files in a 1777 directory, not write
 * root's 0644 file, not delete or rename another user's file in a sticky directory, not chmod,
 * chown or set times on files of others, not read a 0600 file; copy-up must keep the owner (a
 * file of nobody's in the lower, changed by nobody, is nobody's in the upper); set-uid bits must
 * behave as on Linux (chmod u+s by the owner works; a write by another user clears set-uid); the
 * work directory must not be reachable ({@code stat .unionfs-java} is ENOENT).
 */
@Tag("mount")
@Tag("root")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@DisplayName("other users: exactly what the modes allow, owners kept on copy-up")
class OtherUsersTest {
  private static final int NOBODY = 65534;

  /** What the script's lines must say, on both the plain directory and the union. */
  static final Map<String, String> EXPECTED = new LinkedHashMap<>();

  static {
    EXPECTED.put("write new file in 1777 dir", "OK");
    EXPECTED.put("owner of new file", "OK 65534:65534");
    EXPECTED.put("append to root's 0644 file", "FAIL Permission denied");
    EXPECTED.put("delete other user's file in sticky dir", "FAIL Operation not permitted");
    EXPECTED.put("rename other user's file in sticky dir", "FAIL Operation not permitted");
    EXPECTED.put("delete own file in sticky dir", "OK");
    EXPECTED.put("append to own lower file", "OK");
    EXPECTED.put("owner after append", "OK 65534:65534 644");
    EXPECTED.put("mkdir in own lower dir", "OK");
    EXPECTED.put("owner of new dir", "OK 65534:65534");
    EXPECTED.put("chmod u+s own file", "OK");
    EXPECTED.put("mode after chmod u+s", "OK 4755");
    EXPECTED.put("write to other user's world-writable setuid file", "OK");
    EXPECTED.put("mode after write by non-owner", "OK 777");
    EXPECTED.put("chmod root's file", "FAIL Operation not permitted");
    EXPECTED.put("chown root's file", "FAIL Operation not permitted");
    EXPECTED.put("set explicit times on root's file", "FAIL Permission denied"); // touch opens it for writing first
    EXPECTED.put("touch root's file", "FAIL Permission denied");
    EXPECTED.put("read root's 0600 file", "FAIL Permission denied");
    EXPECTED.put("create in root's 0755 dir", "FAIL Permission denied");
    EXPECTED.put("unlink in root's 0755 dir", "FAIL Permission denied");
    EXPECTED.put("hard link to root's file", "FAIL Operation not permitted");
    EXPECTED.put("stat .unionfs-java", "FAIL No such file or directory");
    EXPECTED.put("listing has no internal names", "OK 0");
  }

  private static final String SCRIPT = String.join("\n",
      "r() { label=\"$1\"; shift; if out=$(\"$@\" 2>&1); then echo \"$label: OK${out:+ $out}\";"
          + " else echo \"$label: FAIL $(printf '%s' \"$out\" | tail -1 | sed 's/.*: //')\"; fi; }",
      "r 'write new file in 1777 dir' sh -c 'echo new > pub/newfile'",
      "r 'owner of new file' stat -c %u:%g pub/newfile",
      "r \"append to root's 0644 file\" sh -c 'echo x >> rootfile'",
      "r \"delete other user's file in sticky dir\" rm -f pub/other",
      "r \"rename other user's file in sticky dir\" mv pub/other pub/renamed",
      "r 'delete own file in sticky dir' rm pub/mine",
      "r 'append to own lower file' sh -c 'echo more >> own/f'",
      "r 'owner after append' stat -c '%u:%g %a' own/f",
      "r 'mkdir in own lower dir' mkdir own/sub",
      "r 'owner of new dir' stat -c %u:%g own/sub",
      "r 'chmod u+s own file' chmod u+s suid-own",
      "r 'mode after chmod u+s' stat -c %a suid-own",
      "r \"write to other user's world-writable setuid file\" sh -c 'echo x >> suid-other'",
      "r 'mode after write by non-owner' stat -c %a suid-other",
      "r \"chmod root's file\" chmod 600 rootfile",
      "r \"chown root's file\" chown 65534 rootfile",
      "r \"set explicit times on root's file\" touch -d @1000000000 rootfile",
      "r \"touch root's file\" touch rootfile",
      "r \"read root's 0600 file\" cat secret",
      "r \"create in root's 0755 dir\" touch rodir/x",
      "r \"unlink in root's 0755 dir\" rm -f rodir/y",
      "r \"hard link to root's file\" ln secret pub/hl",
      "r 'stat .unionfs-java' stat .unionfs-java",
      "r 'listing has no internal names' sh -c 'ls -A | grep -c -e \"^\\.unionfs\" -e \"^\\.wh\\.\" -e \"^\\.fuse_hidden\" || true'");

  /** The starting tree (as root, in a lower or the plain directory). */
  static void fill(Path d) throws IOException {
    Fixture.dir(d.resolve("pub"));
    Fixture.mode(d.resolve("pub"), 01777);
    Fixture.owner(Fixture.file(d.resolve("pub/other"), "other's\n"), 1000, 1000);
    Fixture.mode(d.resolve("pub/other"), 0666);
    Fixture.owner(Fixture.file(d.resolve("pub/mine"), "mine\n"), NOBODY, NOBODY);
    Fixture.mode(Fixture.file(d.resolve("rootfile"), "root's\n"), 0644);
    Fixture.mode(Fixture.file(d.resolve("secret"), "secret\n"), 0600);
    Fixture.owner(Fixture.file(d.resolve("own/f"), "own\n"), NOBODY, NOBODY);
    Fixture.mode(d.resolve("own/f"), 0644);
    Fixture.owner(d.resolve("own"), NOBODY, NOBODY);
    Fixture.owner(Fixture.mode(Fixture.file(d.resolve("suid-own"), "#!/bin/sh\n"), 0755), NOBODY, NOBODY);
    Fixture.owner(Fixture.file(d.resolve("suid-other"), "#!/bin/sh\n"), 1000, 1000);
    Fixture.mode(d.resolve("suid-other"), 04777);
    Fixture.file(d.resolve("rodir/y"), "y\n");
    Fixture.mode(d.resolve("rodir"), 0755);
    Fixture.mode(d, 0755);
  }

  private static Map<String, String> runAsNobody(Path dir) {
    Processes.Result r = Processes.run(Duration.ofSeconds(60), "setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
        "--clear-groups", "bash", "-c", "cd '" + dir + "' && " + SCRIPT);
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : r.stdout().split("\n")) {
      int colon = line.indexOf(": ");
      if (colon > 0) {
        out.put(line.substring(0, colon), line.substring(colon + 2));
      }
    }
    if (out.size() != EXPECTED.size()) {
      throw new AssertionError("script output incomplete in " + dir + ":\n" + r.stdout() + "\nstderr: " + r.stderr());
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void nobodyOnUnionMountedByRoot_exactlyWhatModesAllow(UnionSystem system, @TempDir Path tmp) throws Exception {
    SystemSelection.assumeSelected(system);
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is needed");
    Syscalls.chmod(tmp, 0755).requireOk(); // JUnit makes it 0700; nobody must reach the mount point
    Path plain = Files.createDirectories(tmp.resolve("plain"));
    fill(plain);
    Map<String, String> onPlain = runAsNobody(plain);
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, system)) {
      Syscalls.chmod(u.root(), 0755).requireOk();
      fill(u.lower(1));
      Map<String, String> lower = BranchChecksum.of(u.lower(1));
      u.mount();
      Map<String, String> onUnion = runAsNobody(u.mnt());
      List<String> problems = new ArrayList<>();
      EXPECTED.forEach((label, want) -> {
        if (!want.equals(onPlain.get(label))) {
          problems.add("plain directory, " + label + ": " + onPlain.get(label) + " (expected " + want + ")");
        }
        if (!want.equals(onUnion.get(label))) {
          problems.add("union, " + label + ": " + onUnion.get(label) + " (a plain directory: " + onPlain.get(label) + ")");
        }
      });
      // copy-up kept the owner, in the upper itself
      Fixture.Stat up = Fixture.stat(u.upper().resolve("own/f"));
      if (up.uid() != NOBODY || up.gid() != NOBODY) {
        problems.add("upper own/f is " + up.uid() + ":" + up.gid() + " after a copy-up by its owner 65534");
      }
      Fixture.Stat upDir = Fixture.stat(u.upper().resolve("own"));
      if (upDir.uid() != NOBODY) {
        problems.add("upper own/ (copied up as a parent) is owned by " + upDir.uid());
      }
      Fixture.Stat other = Fixture.stat(u.at("pub/other"));
      if (other.uid() != 1000 || !"other's\n".equals(Fixture.read(u.at("pub/other")))) {
        problems.add("pub/other changed: " + other);
      }
      u.unmount();
      assertEquals(List.of(), BranchChecksum.diff(lower, BranchChecksum.of(u.lower(1))), "lower unchanged");
      System.out.println("OtherUsersTest " + system + ": " + EXPECTED.size() + " checks as nobody; union " + onUnion);
      assertEquals(List.of(), problems, system.toString());
    }
  }
}
