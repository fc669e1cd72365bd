package org.unionfsjava.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import org.unionfsjava.cli.UnionfsCommand;

/**
 * Writes the bash completion script of {@code unionfs-java} (picocli's {@link AutoComplete}),
 * made from the command line's model at build time: every subcommand and option completes
 * without anyone editing the build. One argument: the output file. The script is sourced by
 * bash-completion, never run, so picocli's {@code #!} line is left out.
 */
final class BashCompletion {

  private BashCompletion() {
  }

  /** Writes the script to {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: BashCompletion OUTPUT_FILE");
    }
    Path output = Path.of(args[0]);
    Files.createDirectories(output.toAbsolutePath().getParent());
    String script = AutoComplete.bash("unionfs-java", UnionfsCommand.commandLine());
    if (script.startsWith("#!")) {
      script = script.substring(script.indexOf('\n') + 1);
    }
    Files.writeString(output, script, StandardCharsets.UTF_8);
  }
}
