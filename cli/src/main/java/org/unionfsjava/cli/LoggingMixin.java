package org.unionfsjava.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The {@code -v} option of every command: none logs warnings only, {@code -v} INFO, {@code -vv}
 * DEBUG, {@code -vvv} TRACE; the count is kept on the top command wherever it was given.
 */
final class LoggingMixin {

  @Spec(Spec.Target.MIXEE)
  private CommandSpec mixee;

  private int verbosity;

  /** Stores the {@code -v} count on the top command's mixin. */
  @Option(names = {"-v", "--verbose"},
      description = "Log more: -v INFO, -vv DEBUG, -vvv TRACE (default: warnings only).")
  void setVerbose(boolean[] flags) {
    topLevel(mixee).verbosity = flags.length;
  }

  /** How many {@code -v} were given on the command line. */
  int verbosity() {
    return topLevel(mixee).verbosity;
  }

  /** Picocli execution strategy: sets the log level from {@code -v}, then runs the command. */
  static int executionStrategy(ParseResult parseResult) {
    topLevel(parseResult.commandSpec()).configureLogging();
    return new CommandLine.RunLast().execute(parseResult);
  }

  /** The Log4j2 root level for a number of {@code -v} flags. */
  static Level levelFor(int verbosity) {
    switch (verbosity) {
      case 0:
        return Level.WARN;
      case 1:
        return Level.INFO;
      case 2:
        return Level.DEBUG;
      default:
        return Level.TRACE;
    }
  }

  private void configureLogging() {
    Configurator.setRootLevel(levelFor(verbosity));
  }

  private static LoggingMixin topLevel(CommandSpec spec) {
    return ((UnionfsCommand) spec.root().userObject()).loggingMixin;
  }
}
