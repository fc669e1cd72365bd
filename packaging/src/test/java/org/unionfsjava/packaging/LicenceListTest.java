package org.unionfsjava.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every library the package ships (the jars the CLI's build gathers in cli/target/lib) is named
 * in NOTICE and covered by a Files stanza of debian/copyright, so adding a dependency without its
 * licence fails the build instead of shipping unlisted.
 */
class LicenceListTest {

  private static final Path TARGET = Path.of(System.getProperty("packaging.target", "target"));
  private static final Path REPO = TARGET.toAbsolutePath().getParent().getParent();
  /** A jar's artifact name and version: {@code commons-io-2.20.0.jar} -> commons-io. */
  private static final Pattern JAR = Pattern.compile("(.+?)-(\\d[^-]*)(-native)?\\.jar");

  @Test
  void everyShippedLibrary_isInNoticeAndDebianCopyright() throws IOException {
    String notice = Files.readString(REPO.resolve("NOTICE"), StandardCharsets.UTF_8);
    List<PathMatcher> stanzas = new ArrayList<>();
    boolean inFiles = false; // a Files field continues on lines that start with white space
    for (String line : Files.readAllLines(REPO.resolve("packaging/debian/copyright"))) {
      inFiles = line.startsWith("Files:") || (inFiles && line.startsWith(" "));
      String path = inFiles ? line.replaceFirst("^Files:", "").trim() : "";
      if (path.startsWith("usr/share/unionfs-java/lib/")) {
        String glob = path.substring("usr/share/unionfs-java/lib/".length());
        stanzas.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
      }
    }
    List<String> jars;
    try (Stream<Path> lib = Files.list(REPO.resolve("cli/target/lib"))) {
      jars = lib.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted().toList();
    }
    assertFalse(jars.isEmpty(), "cli/target/lib is empty: build the cli module first");
    List<String> missing = new ArrayList<>();
    for (String jar : jars) {
      Matcher m = JAR.matcher(jar);
      String artifact = m.matches() ? m.group(1) : jar;
      if (artifact.equals("whiteout-model") || artifact.startsWith("unionfs-java")
          || artifact.equals("fuse-transport")) {
        continue; // the project's own jars: LICENSE and the copyright's "Files: *"
      }
      if (!notice.contains(artifact)) {
        missing.add(jar + ": not named in NOTICE");
      }
      Path name = Path.of(jar);
      if (stanzas.stream().noneMatch(s -> s.matches(name))) {
        missing.add(jar + ": no Files stanza in packaging/debian/copyright");
      }
    }
    assertEquals(List.of(), missing);
  }
}
