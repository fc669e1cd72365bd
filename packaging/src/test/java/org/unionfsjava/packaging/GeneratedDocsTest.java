package org.unionfsjava.packaging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.unionfsjava.cli.UnionfsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The manual pages and the completion script that this module's build made (process-classes,
 * before the tests) cover the command line's whole model: a page for every command and
 * subcommand, naming each of its options, and a completion that offers each of them.
 */
class GeneratedDocsTest {

  private static final Path TARGET = Path.of(System.getProperty("packaging.target", "target"));

  @Test
  void manualPages_oneForEveryCommand_withEveryOption() throws IOException {
    check(UnionfsCommand.commandLine().getCommandSpec());
  }

  private static void check(CommandSpec spec) throws IOException {
    if (spec.usageMessage().hidden()) {
      return;
    }
    Path page = TARGET.resolve("man/roff/" + spec.qualifiedName("-") + ".1");
    assertTrue(Files.isRegularFile(page), "no manual page " + page);
    String roff = Files.readString(page, StandardCharsets.UTF_8).replace("\\-", "-");
    for (OptionSpec option : spec.options()) {
      if (!option.hidden()) {
        assertTrue(roff.contains(option.longestName()), page + " lacks " + option.longestName());
      }
    }
    for (CommandLine sub : spec.subcommands().values()) {
      check(sub.getCommandSpec());
    }
  }

  @Test
  void completion_offersOnlyValuesTheOptionsAccept() throws IOException {
    String script = Files.readString(TARGET.resolve("completion/unionfs-java"),
        StandardCharsets.UTF_8);
    assertTrue(script.contains("(\"changing\" \"fixed\") # --lower-mode values")
        && !script.contains("CHANGING"), "--lower-mode must complete to the names it accepts");
    assertTrue(script.contains("(\"auto\" \"overlay\" \"aufs\") # --whiteout-format values"),
        "--whiteout-format's names");
  }

  @Test
  void completion_offersEverySubcommandAndOption() throws IOException {
    String script = Files.readString(TARGET.resolve("completion/unionfs-java"),
        StandardCharsets.UTF_8);
    assertTrue(!script.startsWith("#!"), "a sourced completion script has no #! line");
    CommandSpec top = UnionfsCommand.commandLine().getCommandSpec();
    for (String name : top.subcommands().keySet()) {
      assertTrue(script.contains(name), "completion lacks the subcommand " + name);
      for (OptionSpec option : top.subcommands().get(name).getCommandSpec().options()) {
        assertTrue(script.contains(option.longestName()),
            "completion lacks " + name + " " + option.longestName());
      }
    }
  }
}
