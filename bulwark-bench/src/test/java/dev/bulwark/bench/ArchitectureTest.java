package dev.bulwark.bench;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The module and package rules of DESIGN.md, over the main classes of every module. It lives in
 * bulwark-bench because that is the one module that sees all the others.
 */
final class ArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .withImportOption(location -> !location.contains("/jmh_generated/"))
          // the server's test fixtures, a test-jar for the chain benchmark
          .withImportOption(location -> !location.contains("-tests.jar"))
          .importPackages("dev.bulwark");

  @Test
  void everyModuleIsImported() {
    for (String pkg :
        new String[] {"dev.bulwark.engine", "dev.bulwark.server", "dev.bulwark.kafka"}) {
      org.assertj.core.api.Assertions.assertThat(CLASSES.containPackage(pkg)).as(pkg).isTrue();
    }
  }

  @Test
  void theEngineDoesNoIoAndKnowsNoServerDatabaseHttpOrKafka() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage("dev.bulwark.engine..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "dev.bulwark.server..",
                "dev.bulwark.kafka..",
                "io.javalin..",
                "org.eclipse.jetty..",
                "jakarta.servlet..",
                "java.sql..",
                "javax.sql..",
                "org.jdbi..",
                "com.zaxxer..",
                "org.flywaydb..",
                "org.h2..",
                "org.postgresql..",
                "org.apache.kafka..",
                "java.net.http..",
                "java.nio.file..",
                "java.nio.channels..",
                "org.slf4j..")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.io.File")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.net.Socket")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.net.URL");
    rule.check(CLASSES);
  }

  @Test
  void theEngineReadsTimeOnlyFromEventsOrAClock() {
    noClasses()
        .that()
        .resideInAPackage("dev.bulwark.engine..")
        .should()
        .callMethod(java.time.Instant.class, "now")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(java.time.Clock.class, "systemUTC")
        .check(CLASSES);
  }

  @Test
  void theKafkaRunnerDependsOnTheEngineOnly() {
    noClasses()
        .that()
        .resideInAPackage("dev.bulwark.kafka..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.bulwark.server..", "io.javalin..", "java.sql..", "org.jdbi..")
        .check(CLASSES);
  }

  @Test
  void packagesHaveNoCycles() {
    slices().matching("dev.bulwark.(**)").should().beFreeOfCycles().check(CLASSES);
  }

  @Test
  void packagesAreNamedForFeaturesNotLayers() {
    noClasses()
        .should()
        .resideInAnyPackage(
            "..util..",
            "..utils..",
            "..common..",
            "..helper..",
            "..helpers..",
            "..impl..",
            "..manager..",
            "..dto..")
        .check(CLASSES);
  }

  @Test
  void onlyTheCompositionRootAndTheCliBuildTheServer() {
    classes()
        .that()
        .haveFullyQualifiedName("dev.bulwark.server.App")
        .should()
        .onlyBeAccessed()
        .byClassesThat()
        // benchmarks drive the whole server as a deployment would (TAXII, federation)
        .resideInAnyPackage("dev.bulwark.server", "dev.bulwark.server.cli", "dev.bulwark.bench")
        .check(CLASSES);
  }
}
