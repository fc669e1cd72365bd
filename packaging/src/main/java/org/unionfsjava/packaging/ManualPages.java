package org.unionfsjava.packaging;

import java.io.File;
import java.io.IOException;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;
import org.unionfsjava.cli.UnionfsCommand;

/**
 * Writes the AsciiDoc source of a manual page for {@code unionfs-java} and for each of its
 * subcommands, read from the command line's own model at build time, so that a new option or a
 * new subcommand gets its page without anyone editing the build (asciidoctor then turns them into
 * roff). One argument: the output directory.
 */
final class ManualPages {

  private ManualPages() {
  }

  /** Writes {@code unionfs-java.adoc}, {@code unionfs-java-mount.adoc}, ... into {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: ManualPages OUTPUT_DIRECTORY");
    }
    CommandLine commandLine = UnionfsCommand.commandLine();
    int status = ManPageGenerator.generateManPage(new File(args[0]), null, new boolean[0], false,
        commandLine.getCommandSpec());
    if (status != CommandLine.ExitCode.OK) {
      throw new IOException("picocli's ManPageGenerator failed with status " + status);
    }
  }
}
