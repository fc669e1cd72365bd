package org.unionfsjava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CLI reaches FUSE through the core's interface only (UnionMount, NativeBindings): none of
 * its classes names a FUSE binding, libfuse 3's ({@code org.unionfsjava.fs.fuse3}) or jnr-fuse's.
 */
class NoFuseBindingImportTest {

  @Test
  void noMainClass_namesAFuseBinding() throws IOException {
    Path sources = Path.of("src/main/java");
    assertTrue(Files.isDirectory(sources), "run from the cli module: " + sources.toAbsolutePath());
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i);
          if (line.contains("org.unionfsjava.fs.fuse3") || line.contains("ru.serce.jnrfuse")) {
            found.add(sources.relativize(file) + ":" + (i + 1) + ": " + line.strip());
          }
        }
      }
    }
    assertEquals(List.of(), found);
  }
}
