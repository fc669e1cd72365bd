package org.unionfsjava.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * I/O errors from the upper in the middle of a change (issue 4: "the same for EIO ... a
 * fault-injecting branch in unit tests"). Each operation runs once to count the changes it makes
 * to the branches; then, on a fresh union each time, the k-th of those changes fails with EIO, for
 * every k. Whatever k: the union shows either the whole old state or the whole new one; the
 * caller gets EIO unless the change was already complete (a failure in a best-effort step after
 * it, such as putting back a directory's times or removing what was swapped out, is not the
 * caller's: then a leftover temporary must go at the next mount); a failed change leaves nothing
 * in the work directory's temporary area; the lowers are unchanged; and a failed operation
 * succeeds when tried again.
 */
@DisplayName("fault injection: EIO at every step of a change leaves the old or the new state")
class FaultInjectionTest extends AufsUnionTestBase {

  /** The BranchIo calls that change a branch. */
  private static final Set<String> CHANGES = Set.of("setXattr", "removeXattr", "mkdir", "mknod",
      "symlink", "link", "rename", "unlink", "rmdir", "chmod", "lchown", "utimens", "truncate",
      "createFile", "copyFileData", "writeNewFile", "syncDirectory");

  /** One operation on the union, given fresh resolutions. */
  @FunctionalInterface
  private interface Operation {
    void run(UnionFixture u) throws IOException;
  }

  /** Counts the changing calls; when armed, fails the k-th with EIO. */
  private static final class Faults {
    final AtomicInteger changes = new AtomicInteger();
    volatile int failAt = -1;
    final List<String> seen = new ArrayList<>();

    BranchIo wrap(BranchIo real) {
      return (BranchIo) Proxy.newProxyInstance(BranchIo.class.getClassLoader(), new Class<?>[] {BranchIo.class},
          (proxy, method, args) -> {
            if (CHANGES.contains(method.getName())) {
              int n = changes.incrementAndGet();
              seen.add(method.getName());
              if (n == failAt) {
                throw new UnionException(Errno.EIO, String.valueOf(args[0]), "injected I/O error");
              }
            }
            try {
              return method.invoke(real, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }
  }

  static Stream<Arguments> operations() {
    return Stream.of(
        Arguments.of("copy-up with data", (Operation) u -> u.copyUp().ensureUpper(u.visible("/d/f"), true)),
        Arguments.of("metadata-only copy-up", (Operation) u -> u.copyUp().ensureUpperMetadata(u.visible("/d/f"))),
        Arguments.of("unlink a lower file", (Operation) u -> u.namespace().unlink(u.visible("/d/f"), u.visible("/d"))),
        Arguments.of("rmdir a lower directory", (Operation) u -> u.namespace().rmdir(u.visible("/empty"),
            u.lookup().root())),
        Arguments.of("rmdir a directory emptied through the union", (Operation) u -> u.namespace().rmdir(
            u.visible("/e"), u.lookup().root())),
        Arguments.of("mkdir over a whiteout (opaque)", (Operation) u -> u.namespace().create(u.resolve("/gone"),
            Caller.ROOT, true, at -> u.io().mkdir(at, 0755))),
        Arguments.of("create a file in a lower-only directory", (Operation) u -> u.namespace().create(
            u.resolve("/d/new"), Caller.ROOT, false, at -> u.io().createFile(at, 0644))),
        Arguments.of("rename a lower file", (Operation) u -> u.namespace().rename(u.visible("/d/f"), u.visible("/d"),
            u.resolve("/moved"), u.lookup().root())),
        Arguments.of("rename a lower directory (redirect)", (Operation) u -> u.namespace().rename(u.visible("/d"),
            u.lookup().root(), u.resolve("/d2"), u.lookup().root())),
        Arguments.of("hard link a lower file", (Operation) u -> u.namespace().link(u.visible("/d/f"), u.resolve("/d/g"))));
  }

  /** What a case needs done (without faults) before the operation under test. */
  private static void prepare(UnionFixture u, String name) throws IOException {
    if (name.startsWith("rmdir a directory emptied")) {
      u.namespace().unlink(u.visible("/e/only"), u.visible("/e"));
    }
  }

  private UnionFixture fresh(Faults faults, String name) throws IOException {
    Path root = Files.createDirectories(fs.getPath("/u-" + name));
    return UnionFixture.builder(root, faults.wrap(io), aufs)
        .file("lower1", "d/f", "lower data\n")
        .file("lower1", "d/other", "other\n")
        .file("lower1", "e/only", "only\n")
        .dir("lower1", "empty")
        .file("lower2", "gone/x", "hidden below\n")
        .whiteout("lower1", "gone")
        .build();
  }

  /** What the union shows at the paths the operations touch. */
  private static Map<String, String> view(UnionFixture u) throws IOException {
    return view(u, true);
  }

  /**
   * What the union shows; with {@code provenance} also which branch holds each file. Without it
   * the view is what a program sees: a copy-up made on the way to a change that then failed has
   * the same content and inode number as the lower file.
   */
  private static Map<String, String> view(UnionFixture u, boolean provenance) throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (String p : List.of("/d", "/d/f", "/d/g", "/d/other", "/d/new", "/d2", "/d2/f", "/e", "/e/only",
        "/gone", "/gone/x", "/moved", "/empty")) {
      Resolution r = u.resolve(p);
      if (r instanceof Resolution.Visible v) {
        // a file says which branch holds it (a copy-up is visible in st_dev/blocks); a directory
        // copied up on the way to a change that then failed shows the same names and inode number
        out.put(p, v.isDirectory() ? "dir " + u.names(p)
            : "file " + u.content(p) + (provenance ? " from " + u.provenance(p) : ""));
      } else {
        out.put(p, "absent");
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("operations")
  void eioAtEveryStep_oldOrNewState_noTemporaries_lowersUnchanged_retrySucceeds(String name, Operation op)
      throws IOException {
    Faults counting = new Faults();
    UnionFixture reference = fresh(counting, "ref");
    prepare(reference, name);
    Map<String, String> before = view(reference);
    Map<String, String> beforeSeen = view(reference, false);
    counting.changes.set(0);
    counting.seen.clear();
    op.run(reference);
    int steps = counting.changes.get();
    List<String> stepNames = List.copyOf(counting.seen);
    Map<String, String> after = view(reference);
    Map<String, String> afterSeen = view(reference, false);
    assertTrue(steps > 0, name + " changed nothing in the branches");
    assertTrue(!before.equals(after), name + " changed nothing visible");

    List<String> problems = new ArrayList<>();
    for (int k = 1; k <= steps; k++) {
      Faults faults = new Faults();
      UnionFixture u = fresh(faults, "k" + k);
      prepare(u, name);
      Map<String, String> lower1 = u.snapshot("lower1");
      Map<String, String> lower2 = u.snapshot("lower2");
      faults.changes.set(0);
      faults.failAt = k;
      String at = "EIO at step " + k + "/" + steps + " (" + stepNames.get(k - 1) + ")";
      boolean succeeded = false;
      try {
        op.run(u);
        succeeded = true;
      } catch (UnionException e) {
        if (e.errno() != Errno.EIO) {
          problems.add(at + ": " + e.errno() + " instead of EIO: " + e.getMessage());
        }
      }
      faults.failAt = -1;
      Map<String, String> state = view(u);
      Map<String, String> seen = view(u, false);
      boolean complete = state.equals(after);
      if (succeeded && !complete) {
        // a failure may be ignored only in a best-effort step after the change is complete
        // (putting back a parent directory's times): then the new state must be whole
        problems.add(at + ": the operation succeeded without reaching the new state");
      }
      if (!seen.equals(beforeSeen) && !seen.equals(afterSeen)) {
        problems.add(at + ": neither the old nor the new state: " + seen);
      }
      if (!u.temps().isEmpty()) {
        if (succeeded) {
          // the fault hit the clean-up of a complete change: the next mount removes the rest
          u.work().prepare();
          if (!u.temps().isEmpty()) {
            problems.add(at + ": temporaries the next mount does not remove: " + u.temps());
          }
        } else {
          problems.add(at + ": temporaries left: " + u.temps());
        }
      }
      if (!u.snapshot("lower1").equals(lower1) || !u.snapshot("lower2").equals(lower2)) {
        problems.add(at + ": a lower changed");
      }
      if (!complete) {
        try {
          op.run(u);
          if (!view(u).equals(after)) {
            problems.add(at + ": the retry did not reach the new state: " + view(u));
          }
        } catch (IOException e) {
          problems.add(at + ": the retry failed: " + e);
        }
        if (!u.temps().isEmpty()) {
          problems.add(at + ": temporaries left after the retry: " + u.temps());
        }
      }
    }
    System.out.println("FaultInjectionTest " + name + ": EIO injected at each of " + steps + " steps "
        + stepNames + ", " + problems.size() + " problems");
    if (!problems.isEmpty()) {
      fail(name + " (" + steps + " steps: " + stepNames + "):\n" + String.join("\n", problems));
    }
    assertEquals(List.of(), problems);
  }
}
