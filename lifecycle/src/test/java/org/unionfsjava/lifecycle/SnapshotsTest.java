package org.unionfsjava.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.fs.SnapshotLayers;
import org.unionfsjava.fs.nativeio.NativeBranchIo;
import org.unionfsjava.model.UnionException;

/**
 * The layer logic on trees made by hand in the aufs format (plain files: no privileges needed):
 * the record and the stack a mount builds from it, squash's merge rules, rollback and reset, and
 * the leftovers an interrupted run leaves.
 */
@DisplayName("Snapshots: layers, their record, squash, rollback")
class SnapshotsTest {
  @TempDir Path tmp;

  private Path upper;
  private Path base;

  private static void write(Path p, String s) throws Exception {
    Files.createDirectories(p.getParent());
    Files.writeString(p, s);
  }

  /** Base: a, b, d/x. Layer 1: new n1, whiteout of a, d/y, opaque o/ with o/p. Layer 2: whiteouts of n1 and b, d opaque with d/z. */
  private Snapshots threeLevels() throws Exception {
    base = Files.createDirectories(tmp.resolve("base"));
    write(base.resolve("a"), "a");
    write(base.resolve("b"), "b");
    write(base.resolve("d/x"), "x");
    write(base.resolve("o/base-only"), "hidden by layer 1's opaque o");
    upper = Files.createDirectories(tmp.resolve("upper"));
    Path work = Files.createDirectories(upper.resolve(".unionfs-java"));
    Files.writeString(work.resolve("format"), "aufs\n");
    Path layers = Files.createDirectories(tmp.resolve("upper.layers"));
    Path l1 = Files.createDirectories(layers.resolve("1"));
    write(l1.resolve("n1"), "n1");
    write(l1.resolve(".wh.a"), "");
    write(l1.resolve("d/y"), "y");
    write(l1.resolve("o/p"), "p");
    write(l1.resolve("o/.wh..wh..opq"), "");
    Path l2 = Files.createDirectories(layers.resolve("2"));
    write(l2.resolve(".wh.n1"), "");
    write(l2.resolve(".wh.b"), "");
    write(l2.resolve("d/z"), "z");
    write(l2.resolve("d/.wh..wh..opq"), "");
    Files.writeString(work.resolve("layers"), SnapshotLayers.format(List.of(
        new SnapshotLayers.Layer("1", Instant.ofEpochSecond(1000), "one"),
        new SnapshotLayers.Layer("2", Instant.ofEpochSecond(2000), "two"))));
    return new Snapshots(new NativeBranchIo(), upper, List.of(base), Progress.NONE);
  }

  private static TreeSet<String> names(Path dir) throws Exception {
    TreeSet<String> out = new TreeSet<>();
    try (Stream<Path> s = Files.walk(dir)) {
      s.filter(p -> !p.equals(dir)).forEach(p -> out.add(dir.relativize(p).toString()));
    }
    return out;
  }

  @Test
  @DisplayName("the record reads back; the stack puts the layers newest first above the lowers, once")
  void record_andStack() throws Exception {
    Snapshots s = threeLevels();
    assertEquals(List.of("1", "2"), s.layers().stream().map(SnapshotLayers.Layer::id).toList());
    List<Path> stack = SnapshotLayers.stack(upper, null, List.of(base));
    Path layers = tmp.resolve("upper.layers");
    assertEquals(List.of(layers.resolve("2"), layers.resolve("1"), base), stack);
    assertEquals(stack, SnapshotLayers.stack(upper, null, stack), "a list that names the layers already is kept");
    assertThrows(UnionException.class, () -> SnapshotLayers.parse("1\tnot-a-number\tx\n", upper));
    assertThrows(IllegalArgumentException.class, () -> new SnapshotLayers.Layer("1", Instant.EPOCH, "a\tb"));
  }

  @Test
  @DisplayName("squash 1 2: the top layer wins; a whiteout of a layer-1 name goes, one of a base name stays; opacity as the layers had it")
  void squash_mergesByTheRules() throws Exception {
    Snapshots s = threeLevels();
    Snapshots.Result r = s.squash(1, 2);
    assertEquals(1, r.layers());
    List<SnapshotLayers.Layer> after = s.layers();
    assertEquals(1, after.size());
    assertEquals("two", after.get(0).name(), "the merged layer has the top one's name");
    assertEquals(Instant.ofEpochSecond(2000), after.get(0).made());
    Path merged = tmp.resolve("upper.layers").resolve(after.get(0).id());
    assertEquals(new TreeSet<>(List.of(".wh.a", ".wh.b", "d", "d/.wh..wh..opq", "d/z", "o", "o/.wh..wh..opq", "o/p")),
        names(merged), "n1 and its whiteout are gone; d is opaque with only z (layer 2 hid y and x)");
    assertEquals(List.of(after.get(0).id()), names(tmp.resolve("upper.layers")).stream()
        .filter(n -> !n.contains("/")).toList(), "the old layers are removed");
  }

  @Test
  @DisplayName("squash of a non-opaque directory over a whiteout makes it opaque where the base has the name")
  void squash_directoryOverWhiteout_opaque() throws Exception {
    Snapshots s = threeLevels();
    Path l1 = tmp.resolve("upper.layers/1");
    Path l2 = tmp.resolve("upper.layers/2");
    write(l1.resolve(".wh.d2"), "");
    write(base.resolve("d2/old"), "old");
    write(l2.resolve("d2/new"), "new");
    s.squash(1, 2);
    Path merged = tmp.resolve("upper.layers").resolve(s.layers().get(0).id());
    assertTrue(Files.exists(merged.resolve("d2/.wh..wh..opq")), "d2 hides the base's d2: " + names(merged));
    assertFalse(Files.exists(merged.resolve(".wh.d2")));
  }

  @Test
  @DisplayName("rollback 1 drops layer 2 and the upper's changes; reset keeps the layers")
  void rollback_andReset() throws Exception {
    Snapshots s = threeLevels();
    write(upper.resolve("change"), "c");
    s.reset();
    assertEquals(List.of("1", "2"), s.layers().stream().map(SnapshotLayers.Layer::id).toList());
    assertEquals(new TreeSet<>(List.of(".unionfs-java")), new TreeSet<>(List.of(upper.toFile().list())));
    assertEquals("aufs\n", Files.readString(upper.resolve(".unionfs-java/format")), "the same format record");
    write(upper.resolve("change"), "c");
    s.rollback(1);
    assertEquals(List.of("1"), s.layers().stream().map(SnapshotLayers.Layer::id).toList());
    assertFalse(Files.exists(tmp.resolve("upper.layers/2")));
    assertFalse(Files.exists(upper.resolve("change")));
    assertThrows(UnionException.class, () -> s.rollback(2));
  }

  @Test
  @DisplayName("a layer directory no record names and a dead process's fresh upper are leftovers; a live one's is not")
  void leftovers() throws Exception {
    Snapshots s = threeLevels();
    Files.createDirectories(tmp.resolve("upper.layers/7"));
    Files.createDirectories(tmp.resolve(".upper.unionfs-reset.999999999"));
    Files.createDirectories(tmp.resolve(".upper.unionfs-rollback." + ProcessHandle.current().pid()));
    assertEquals(List.of(tmp.resolve("upper.layers/7"), tmp.resolve(".upper.unionfs-reset.999999999")), s.leftovers());
    assertEquals(2, s.removeLeftovers());
    assertTrue(Files.exists(tmp.resolve("upper.layers/1")) && Files.exists(tmp.resolve("upper.layers/2")));
  }

  @Test
  @DisplayName("snapshot: the upper becomes the newest layer, a fresh upper has the record, the view's files are there")
  void snapshot_movesTheUpper() throws Exception {
    Snapshots s = threeLevels();
    write(upper.resolve("mine"), "mine");
    s.snapshot("three");
    List<SnapshotLayers.Layer> layers = s.layers();
    assertEquals(3, layers.size());
    assertEquals("three", layers.get(2).name());
    Path l3 = tmp.resolve("upper.layers").resolve(layers.get(2).id());
    assertEquals("mine", Files.readString(l3.resolve("mine"), StandardCharsets.UTF_8));
    assertFalse(Files.exists(l3.resolve(".unionfs-java/layers")), "the old upper's own record goes");
    assertEquals(new TreeSet<>(List.of(".unionfs-java")), new TreeSet<>(List.of(upper.toFile().list())));
  }
}
