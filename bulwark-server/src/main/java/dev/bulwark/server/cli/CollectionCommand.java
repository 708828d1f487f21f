package dev.bulwark.server.cli;

import dev.bulwark.server.auth.TokenStore;
import dev.bulwark.server.db.Database;
import dev.bulwark.server.http.TaxiiRoutes;
import dev.bulwark.server.intel.StixStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bulwark collection create|grant|list}: the TAXII collections and who may use them. */
@Command(
    name = "collection",
    mixinStandardHelpOptions = true,
    description = "Manage TAXII collections and the organisations that may read or write them.",
    subcommands = {
      CollectionCommand.Create.class,
      CollectionCommand.Grant.class,
      CollectionCommand.ListCollections.class
    })
final class CollectionCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Create a collection owned by an organisation (which may read and write it); prints its id.")
  static final class Create implements Callable<Integer> {
    @Mixin StoreOptions store;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--org", required = true, paramLabel = "NAME", description = "owner")
    String org;

    @Option(names = "--title", required = true, paramLabel = "TEXT", description = "title")
    String title;

    @Option(names = "--description", paramLabel = "TEXT", description = "what it holds")
    String description;

    @Option(
        names = "--alias",
        paramLabel = "NAME",
        description = "a unique short name, usable in place of the id in TAXII URLs")
    String alias;

    @Override
    public Integer call() {
      if (alias != null && !alias.matches("[a-z0-9][a-z0-9._-]{0,99}")) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--alias '%s': use lower-case letters, digits, '.', '_' and '-' (up to 100)"
                .formatted(alias));
      }
      String id = UUID.randomUUID().toString();
      try (Database db = Database.open(store.config().storage())) {
        long owner = new TokenStore(db.jdbi(), Clock.systemUTC()).organisation(org).id();
        StixStore stix = new StixStore(db.jdbi(), Clock.systemUTC());
        if (alias != null && stix.collection(alias, owner).isPresent()) {
          throw new CommandLine.ParameterException(
              spec.commandLine(), "--alias '%s' is taken".formatted(alias));
        }
        stix.createCollection(id, title, description, alias, owner);
      } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--alias '%s' is taken".formatted(alias));
      }
      spec.commandLine().getOut().println(id);
      spec.commandLine()
          .getErr()
          .printf(
              "created collection %s for '%s'; its TAXII URL is %scollections/%s/%n",
              id, org, TaxiiRoutes.API_ROOT, id);
      return Main.OK;
    }
  }

  @Command(
      name = "grant",
      mixinStandardHelpOptions = true,
      description =
          "Set what an organisation may do in a collection (no --read/--write: revoke access).")
  static final class Grant implements Callable<Integer> {
    @Mixin StoreOptions store;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "COLLECTION", description = "collection id")
    String collection;

    @Option(names = "--org", required = true, paramLabel = "NAME", description = "organisation")
    String org;

    @Option(names = "--read", description = "may read (TLP still applies per object)")
    boolean read;

    @Option(names = "--write", description = "may add objects")
    boolean write;

    @Override
    public Integer call() {
      try (Database db = Database.open(store.config().storage())) {
        long member = new TokenStore(db.jdbi(), Clock.systemUTC()).organisation(org).id();
        new StixStore(db.jdbi(), Clock.systemUTC()).grant(collection, member, read, write);
      }
      spec.commandLine()
          .getErr()
          .printf(
              "'%s' may %s collection %s%n",
              org,
              read && write ? "read and write" : read ? "read" : write ? "write" : "not use",
              collection);
      return Main.OK;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the collections an organisation may use.")
  static final class ListCollections implements Callable<Integer> {
    @Mixin StoreOptions store;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--org", required = true, paramLabel = "NAME", description = "organisation")
    String org;

    @Override
    public Integer call() {
      try (Database db = Database.open(store.config().storage())) {
        long member = new TokenStore(db.jdbi(), Clock.systemUTC()).organisation(org).id();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "ALIAS", "READ", "WRITE", "TITLE"});
        for (StixStore.Collection c :
            new StixStore(db.jdbi(), Clock.systemUTC()).collections(member)) {
          rows.add(
              new String[] {
                c.id(), c.alias().orElse("-"), yes(c.canRead()), yes(c.canWrite()), c.title()
              });
        }
        Table.print(spec.commandLine().getOut(), rows);
      }
      return Main.OK;
    }

    private static String yes(boolean b) {
      return b ? "yes" : "no";
    }
  }
}
