package dev.tollgate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tollgate} command. */
@Command(name = "tollgate", mixinStandardHelpOptions = true, version = "tollgate 0.1.0",
    description = "An AI gateway: Envoy programmed by a Java control plane, with ext_authz and ext_proc.",
    subcommands = {UpCommand.class, ControlPlaneCommand.class, ExtServicesCommand.class, ValidateCommand.class,
        dev.tollgate.cli.admin.KeysCommand.class, dev.tollgate.cli.admin.SubscriptionsCommand.class,
        dev.tollgate.cli.admin.UsageCommand.class})
public final class TollgateMain {
  public static void main(String[] args) {
    System.exit(new CommandLine(new TollgateMain()).execute(args));
  }
}
