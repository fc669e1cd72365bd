package org.unionfsjava.e2e.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.RelUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * The experimental libfuse 3 binding ({@code -Dunionfs.fuse=3}, README "Known limits"): the daemon
 * really runs on libfuse3.so.3, and in fixed lower mode, where it asks the kernel to keep
 * directory listings, every change made through the mount shows in the next listing of its
 * directory (the kernel drops a kept listing when the directory changes through FUSE).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@DisplayName("libfuse 3 binding: loaded, and kept listings follow changes made through the mount")
class Fuse3BindingTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void fixedMode_listingsFollowChanges_dataAndWhiteoutsInTheUpper(UnionSystem system) throws IOException {
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, system)) {
      Fixture.file(u.lower(1).resolve("d/a"), "lower a");
      Fixture.file(u.lower(1).resolve("d/b"), "lower b");
      Fixture.file(u.lower(1).resolve("e/c"), "lower c");
      u.javaOpts("-Dunionfs.fuse=3").withArgs("--lower-mode", "fixed").mount();

      String maps = Files.readString(Path.of("/proc/" + u.pid() + "/maps"));
      assertTrue(maps.contains("libfuse3.so.3"), "the daemon mapped libfuse3.so.3");
      assertFalse(maps.contains("libfuse.so.2"), "and not libfuse.so.2");

      Path d = u.at("d");
      assertEquals(List.of("a", "b"), names(d));
      assertEquals(List.of("a", "b"), names(d), "a second listing (kept by the kernel) is the same");
      assertEquals("lower a", Files.readString(d.resolve("a")));

      Files.writeString(d.resolve("new"), "new file");
      assertEquals(List.of("a", "b", "new"), names(d), "create shows");
      Files.delete(d.resolve("a"));
      assertEquals(List.of("b", "new"), names(d), "unlink of a lower file shows");
      Files.move(u.at("e/c"), d.resolve("moved"));
      assertEquals(List.of("b", "moved", "new"), names(d), "a rename into the directory shows");
      assertEquals(List.of(), names(u.at("e")), "and out of the other one");
      Files.createDirectory(d.resolve("sub"));
      Files.writeString(d.resolve("b"), "upper b");
      assertEquals(List.of("b", "moved", "new", "sub"), names(d), "mkdir shows");

      assertEquals("upper b", Files.readString(d.resolve("b")), "copy-up on write");
      assertEquals("lower c", Files.readString(d.resolve("moved")));
      assertArrayEquals("new file".getBytes(StandardCharsets.UTF_8),
          Files.readAllBytes(u.upper().resolve("d/new")), "new data in the upper");
      assertEquals("lower a", Files.readString(u.lower(1).resolve("d/a")), "the lower unchanged");
      assertEquals(List.of("a", "b"), names(u.lower(1).resolve("d")), "the lower's listing unchanged");
    }
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new))
          .stream().toList();
    }
  }
}
