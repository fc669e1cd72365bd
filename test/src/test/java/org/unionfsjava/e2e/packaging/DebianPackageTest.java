package org.unionfsjava.e2e.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.e2e.support.Mounts;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.Processes.Result;

/**
 * Issue 17: the Debian package built by the packaging module, installed on this machine with
 * dpkg, used as an administrator would (the command, the mount helper, man, bash completion, the
 * class archive's trigger), then removed and purged: the file lists of the machine before the
 * install and after the removal are the same. Runs as root where dpkg is and the package is not
 * installed already (it would not purge someone's own install).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class DebianPackageTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final Path ARCHIVE = Path.of("/var/cache/unionfs-java/unionfs-java.jsa");
  private static final Path REPO = Path.of(System.getProperty("unionfs.repo.dir", ".."))
      .toAbsolutePath().normalize();
  /** Parts of the machine that change by themselves or hold this build's own files. */
  private static final List<String> NOT_COMPARED = List.of("/proc", "/sys", "/dev", "/run",
      "/tmp", "/var/tmp", "/root", "/home", "/var/log", "/var/cache/man", "/var/cache/apt",
      "/var/cache/debconf", "/var/cache/ldconfig", "/var/lib/apt", "/var/lib/dpkg",
      "/var/lib/systemd", "/var/lib/man-db", "/work");

  @TempDir
  Path scratch;

  private Path deb;
  private List<String> before;
  private boolean installed;

  @BeforeAll
  void install() throws IOException {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root (dpkg -i)");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg")), "needs dpkg");
    String version = Files.readString(REPO.resolve("pom.xml"))
        .replaceAll("(?s).*?<artifactId>unionfs-java-parent</artifactId>\\s*<version>([^<]+)</version>.*",
            "$1");
    deb = REPO.resolve("packaging/target/unionfs-java_" + version + "_all.deb");
    assertTrue(Files.isRegularFile(deb), "the package was not built: " + deb);
    Result status = Processes.run(TIMEOUT, "dpkg-query", "-W", "-f=${Status}", "unionfs-java");
    assumeTrue(!status.stdout().contains("installed"),
        "unionfs-java is installed on this machine already; not replaced by a test");
    before = fileList();
    Processes.run(TIMEOUT, "dpkg", "-i", deb.toString()).requireSuccess("dpkg -i " + deb);
    installed = true;
  }

  @AfterAll
  void purgeIfStillInstalled() {
    if (installed) {
      Processes.run(TIMEOUT, "dpkg", "-P", "unionfs-java");
    }
  }

  @Test
  @Order(1)
  void lintian_reportsOnlyTheExplainedTags() {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/lintian")), "needs lintian");
    Result result = Processes.run(Duration.ofMinutes(4), "lintian", "--pedantic", "--info",
        deb.toString());
    List<String> tags = new ArrayList<>();
    for (String line : result.stdout().split("\n")) {
      if (line.matches("^[EWIPX]: .*")) {
        tags.add(line);
      }
    }
    assertEquals(List.of(), tags, "lintian tags that the shipped overrides do not explain");
  }

  @Test
  @Order(2)
  void install_madeTheClassArchive_andTheCommandRuns() {
    assertTrue(Files.isRegularFile(ARCHIVE), "postinst made no class archive at " + ARCHIVE);
    Result version = Processes.run(TIMEOUT, "/usr/bin/unionfs-java", "--version")
        .requireSuccess("unionfs-java --version");
    assertTrue(version.stdout().startsWith("unionfs-java "), version.stdout());
    assertTrue(Files.isExecutable(Path.of("/sbin/mount.fuse.unionfs-java")));
  }

  @Test
  @Order(3)
  void mount_withTheCommandAndTheHelper_servesTheUnionFromTheArchive() throws Exception {
    Path lower = Files.createDirectories(scratch.resolve("lower"));
    Path upper = Files.createDirectories(scratch.resolve("upper"));
    Path union = Files.createDirectories(scratch.resolve("union"));
    Files.writeString(lower.resolve("base.txt"), "from the lower\n");
    FileTime archiveTime = Files.getLastModifiedTime(ARCHIVE);
    try {
      Result mounted = Processes.run(TIMEOUT, "/usr/bin/unionfs-java", "mount",
          "--upper", upper.toString(), "--lower", lower.toString(),
          "--log-file", scratch.resolve("command.log").toString(), union.toString())
          .requireSuccess("unionfs-java mount");
      Matcher pid = Pattern.compile("\\(pid (\\d+),").matcher(mounted.stdout());
      assertTrue(pid.find(), mounted.stdout());
      assertEquals("fuse.unionfs-java", Mounts.fsTypeAt(union));
      assertEquals("from the lower\n", Files.readString(union.resolve("base.txt")));
      Files.writeString(union.resolve("new.txt"), "new\n");
      assertEquals("new\n", Files.readString(upper.resolve("new.txt")));
      String maps = Files.readString(Path.of("/proc", pid.group(1), "maps"));
      assertTrue(maps.contains(ARCHIVE.toString()), "the server does not map " + ARCHIVE);
      Processes.run(TIMEOUT, "/usr/bin/unionfs-java", "umount", union.toString())
          .requireSuccess("unionfs-java umount");
      assertEquals(null, Mounts.fsTypeAt(union));

      Processes.run(TIMEOUT, "mount", "-t", "fuse.unionfs-java", "-o", "upper=" + upper
          + ",lower=" + lower + ",log-file=" + scratch.resolve("helper.log"), "unionfs-java",
          union.toString()).requireSuccess("mount -t fuse.unionfs-java");
      assertEquals("fuse.unionfs-java", Mounts.fsTypeAt(union));
      assertEquals("new\n", Files.readString(union.resolve("new.txt")));
      Processes.run(TIMEOUT, "umount", union.toString()).requireSuccess("umount");
      assertEquals(null, Mounts.fsTypeAt(union));
    } finally {
      Mounts.unmountQuietly(union);
    }
    assertEquals(archiveTime, Files.getLastModifiedTime(ARCHIVE),
        "a mount remade the class archive");
  }

  @Test
  @Order(4)
  void man_rendersThePagesOfTheCommandEverySubcommandAndTheHelper() {
    Result page = man("unionfs-java");
    assertTrue(page.stdout().contains("unionfs-java - "), page.stdout());
    List<String> subcommands = subcommandsFromHelp();
    assertTrue(subcommands.contains("mount") && subcommands.contains("umount"),
        subcommands.toString());
    for (String subcommand : subcommands) {
      Result sub = man("unionfs-java-" + subcommand);
      assertTrue(sub.stdout().contains("unionfs-java " + subcommand), sub.stdout());
    }
    assertTrue(man("unionfs-java-mount").stdout().contains("--upper"));
    Result helper = man("mount.fuse.unionfs-java");
    assertTrue(helper.stdout().contains("x-systemd.requires-mounts-for"), helper.stdout());
  }

  @Test
  @Order(5)
  void bashCompletion_completesSubcommandsAndOptions() {
    String completes = """
        source /usr/share/bash-completion/completions/unionfs-java
        function_name=$(complete -p unionfs-java | sed -n 's/.*-F \\([^ ]*\\) .*/\\1/p')
        COMP_WORDS=(unionfs-java %s); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
        "$function_name" unionfs-java "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        printf '%%s\\n' "${COMPREPLY[@]}"
        """;
    Result first = Processes.run(TIMEOUT, "bash", "--norc", "--noprofile", "-c",
        String.format(completes, "\"\""));
    List<String> words = List.of(first.requireSuccess("completion").stdout().split("\n"));
    assertTrue(words.containsAll(subcommandsFromHelp()), words.toString());
    Result option = Processes.run(TIMEOUT, "bash", "--norc", "--noprofile", "-c",
        String.format(completes, "mount --lo"));
    List<String> options = List.of(option.requireSuccess("completion").stdout().split("\n"));
    assertTrue(options.containsAll(List.of("--lower", "--lower-mode", "--log-file")),
        options.toString());
  }

  @Test
  @Order(6)
  void jvmTrigger_remakesTheClassArchive() throws Exception {
    FileTime made = Files.getLastModifiedTime(ARCHIVE);
    Thread.sleep(20);
    Processes.run(TIMEOUT, "dpkg-trigger", "--no-await", "/usr/lib/jvm")
        .requireSuccess("dpkg-trigger /usr/lib/jvm");
    Result triggered = Processes.run(TIMEOUT, "dpkg", "--triggers-only", "unionfs-java")
        .requireSuccess("dpkg --triggers-only");
    assertTrue(triggered.stdout().contains("Processing triggers for unionfs-java"),
        triggered.stdout());
    assertTrue(Files.getLastModifiedTime(ARCHIVE).compareTo(made) > 0,
        "the trigger did not remake " + ARCHIVE);
  }

  @Test
  @Order(7)
  void removeAndPurge_leaveTheMachineAsBefore() throws IOException {
    Processes.run(TIMEOUT, "dpkg", "-r", "unionfs-java").requireSuccess("dpkg -r");
    assertEquals("", differences(before, fileList()), "dpkg -r left the machine changed");
    Processes.run(TIMEOUT, "dpkg", "-P", "unionfs-java").requireSuccess("dpkg -P");
    installed = false;
    assertEquals("", differences(before, fileList()), "dpkg -P left the machine changed");
    try (var info = Files.list(Path.of("/var/lib/dpkg/info"))) {
      assertFalse(info.anyMatch(p -> p.getFileName().toString().startsWith("unionfs-java.")),
          "dpkg still has files of the package");
    }
  }

  /** The paths only in {@code after} ("+ PATH") and only in {@code before} ("- PATH"). */
  private static String differences(List<String> before, List<String> after) {
    StringBuilder lines = new StringBuilder();
    java.util.Set<String> was = new java.util.HashSet<>(before);
    java.util.Set<String> is = new java.util.HashSet<>(after);
    after.stream().filter(path -> !was.contains(path)).forEach(p -> lines.append("+ ").append(p)
        .append('\n'));
    before.stream().filter(path -> !is.contains(path)).forEach(p -> lines.append("- ").append(p)
        .append('\n'));
    return lines.toString();
  }

  private static Result man(String page) {
    return Processes.run(TIMEOUT, List.of("env", "MANWIDTH=100", "man",
        page)).requireSuccess("man " + page);
  }

  /** The primary names in the Commands section of {@code unionfs-java --help}. */
  private static List<String> subcommandsFromHelp() {
    String help = Processes.run(TIMEOUT, "/usr/bin/unionfs-java", "--help")
        .requireSuccess("unionfs-java --help").stdout();
    List<String> names = new ArrayList<>();
    boolean inCommands = false;
    for (String line : help.split("\n")) {
      if (line.equals("Commands:")) {
        inCommands = true;
      } else if (inCommands && line.matches("^  [a-z].*")) {
        names.add(line.trim().split("[ ,]")[0]);
      } else if (inCommands && !line.startsWith(" ")) {
        inCommands = false;
      }
    }
    return names;
  }

  /** Every path on the machine outside {@link #NOT_COMPARED} and this build's tree, sorted. */
  private static List<String> fileList() {
    StringBuilder prune = new StringBuilder();
    List<String> skipped = new ArrayList<>(NOT_COMPARED);
    skipped.add(REPO.toString());
    skipped.add(System.getProperty("java.io.tmpdir"));
    for (String path : skipped) {
      prune.append(prune.length() == 0 ? "" : " -o ").append("-path '").append(path).append("'");
    }
    Result list = Processes.sh(TIMEOUT, "find / -xdev \\( " + prune + " \\) -prune -o -print"
        + " 2>/dev/null | LC_ALL=C sort");
    return List.of(list.stdout().split("\n"));
  }
}
