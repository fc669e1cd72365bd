package org.unionfsjava.e2e.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.Processes.Result;
import org.unionfsjava.e2e.support.TestUnion;

/**
 * Issue 17's "Show" list, as a reader and a shell user see them, from what the packaging module
 * built (packaging/target: the pages and the completion script the .deb ships), without installing
 * anything: {@code MANWIDTH=80 man -l} renders the command's page with its sections and a page for
 * every subcommand that {@code unionfs-java --help} lists, with no groff warnings; an interactive
 * bash on a pseudo-terminal (bash-tab.py, python3's pty module) that sourced the completion script
 * offers the subcommands on {@code unionfs-java <TAB><TAB>}, completes {@code --up<TAB>} and lists
 * the values of {@code --whiteout-format}. Both transcripts are printed (UNIONFS-SHOW lines).
 */
@Timeout(180)
class ManPageAndCompletionTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Path REPO = Path.of(System.getProperty("unionfs.repo.dir", ".."))
      .toAbsolutePath().normalize();
  private static final Path PAGES = REPO.resolve("packaging/target/man/roff");
  private static final Path COMPLETION = REPO.resolve("packaging/target/completion/unionfs-java");

  @Test
  void manPages_renderWithTheirSections_oneForEverySubcommand() {
    assumeTrue(onPath("man"), "needs man (man-db)");
    assertTrue(Files.isRegularFile(PAGES.resolve("unionfs-java.1")),
        "the packaging module made no pages in " + PAGES + " (mvn -pl packaging -am install)");
    Rendered main = render("unionfs-java.1");
    System.out.println("UNIONFS-SHOW: $ MANWIDTH=80 man -l " + PAGES.resolve("unionfs-java.1")
        + "\n" + main.text());
    assertEquals(List.of("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS"), main.sections());
    assertTrue(main.text().startsWith("UNIONFS-JAVA(1)"), main.text());
    String commands = main.section("COMMANDS");
    List<String> subcommands = subcommandsFromHelp();
    assertTrue(subcommands.containsAll(List.of("mount", "umount", "diff", "commit", "check")),
        subcommands.toString());
    for (String subcommand : subcommands) {
      assertTrue(Pattern.compile("(?m)^ {7}" + subcommand + "\\b").matcher(commands).find(),
          "the COMMANDS section does not list " + subcommand + ":\n" + commands);
      Path page = PAGES.resolve("unionfs-java-" + subcommand + ".1");
      assertTrue(Files.isRegularFile(page), "no page for " + subcommand + ": " + page);
      Rendered sub = render(page.getFileName().toString());
      assertTrue(sub.sections().containsAll(List.of("NAME", "SYNOPSIS", "DESCRIPTION")),
          subcommand + ": " + sub.sections());
      assertTrue(sub.section("NAME").strip().startsWith("unionfs-java-" + subcommand + " - "),
          sub.section("NAME"));
      assertTrue(sub.section("SYNOPSIS").contains("unionfs-java " + subcommand), sub.text());
    }
    Rendered mount = render("unionfs-java-mount.1");
    assertTrue(mount.sections().contains("OPTIONS"), mount.sections().toString());
    for (String option : List.of("--upper", "--lower", "--lower-mode", "--log-file", "-o")) {
      assertTrue(mount.section("OPTIONS").contains(option), "mount's page lacks " + option);
    }
    Rendered helper = render("mount.fuse.unionfs-java.8");
    assertTrue(helper.text().contains("x-systemd.requires-mounts-for"), helper.text());
  }

  @Test
  void bashCompletion_underAnInteractiveBash_offersTheSubcommandsOnTab() throws URISyntaxException {
    assumeTrue(onPath("python3"), "needs python3 (for its pty module)");
    assertTrue(Files.isRegularFile(COMPLETION), "the packaging module made no " + COMPLETION);
    Path driver = Path.of(ManPageAndCompletionTest.class.getResource("bash-tab.py").toURI());
    Result run = Processes.run(TIMEOUT, "python3", driver.toString(), COMPLETION.toString(),
        "unionfs-java \\t\\t", "unionfs-java mount --up\\t", "unionfs-java mount --lo\\t\\t",
        "unionfs-java mount --whiteout-format \\t\\t").requireSuccess("bash-tab.py");
    String shown = run.stdout();
    System.out.println("UNIONFS-SHOW: an interactive bash on a pty (TAB pressed after each"
        + " line's last word, ^C ends the line)\n" + shown);
    List<String> screens = List.of(shown.split("\n\\$ "));
    String afterCommand = screenAfter(screens, "unionfs-java \n");
    List<String> offered = List.of(afterCommand.substring(afterCommand.indexOf('\n') + 1)
        .replace("^C", "").trim().split("\\s+"));
    List<String> expected = new ArrayList<>(subcommandsFromHelp());
    expected.add("unmount");
    assertEquals(expected.stream().sorted().toList(), offered.stream().sorted().toList(),
        "what <TAB><TAB> offered after 'unionfs-java ':\n" + shown);
    assertTrue(shown.contains("$ unionfs-java mount --upper ^C"),
        "--up<TAB> did not complete to --upper:\n" + shown);
    String lower = screenAfter(screens, "unionfs-java mount --lo\n");
    assertTrue(lower.matches("(?s).*--log-file\\s+--lower\\s+--lower-mode\\s.*"), lower);
    String formats = screenAfter(screens, "unionfs-java mount --whiteout-format \n");
    assertTrue(formats.matches("(?s).*aufs\\s+auto\\s+overlay\\s.*"), formats);
  }

  /** The screen that begins with {@code typed} (a prompt's line and what TAB printed under it). */
  private static String screenAfter(List<String> screens, String typed) {
    return screens.stream().filter(s -> s.startsWith(typed)).findFirst()
        .orElseThrow(() -> new AssertionError("no screen starting '" + typed.strip() + "' in "
            + String.join("\n$ ", screens)));
  }

  /** A page rendered by man as a reader sees it: its text and its section headers. */
  private record Rendered(String text, List<String> sections) {
    /** The text of one section, up to the next header. */
    String section(String name) {
      Matcher m = Pattern.compile("(?ms)^" + name + "\n(.*?)(?=^[A-Z][A-Z ]+\n|\\z)").matcher(text);
      return m.find() ? m.group(1) : "";
    }
  }

  private static Rendered render(String page) {
    Result result = Processes.run(TIMEOUT, List.of("env", "MANWIDTH=80", "MAN_KEEP_FORMATTING=",
        "LC_ALL=C.UTF-8", "man", "-l", PAGES.resolve(page).toString()))
        .requireSuccess("man -l " + page);
    assertEquals("", result.stderr(), "man/groff warned about " + page);
    List<String> sections = new ArrayList<>();
    for (String line : result.stdout().split("\n")) {
      if (line.matches("[A-Z][A-Z ]+")) {
        sections.add(line);
      }
    }
    return new Rendered(result.stdout(), sections);
  }

  /** The primary names in the Commands section of {@code unionfs-java --help}. */
  private static List<String> subcommandsFromHelp() {
    String help = Processes.run(TIMEOUT, TestUnion.launcher().toString(), "--help")
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

  private static boolean onPath(String command) {
    return Processes.run(Duration.ofSeconds(10), "sh", "-c", "command -v " + command).exit() == 0;
  }
}
