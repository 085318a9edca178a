package io.tensorgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.source.doctree.DocCommentTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePathScanner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.lang.model.element.Modifier;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Every public or protected element of the client's API (types, methods, constructors, fields, enum
 * constants) has a Javadoc comment. javac's doclint checks what the comments say; its "missing"
 * group would also demand {@code @param} and {@code @return} everywhere, so presence is checked
 * here.
 */
class JavadocCoverageTest {
  @Test
  void shouldDocumentEveryPublicElementWhenItIsPartOfTheApi() throws IOException {
    List<Path> sources;
    try (Stream<Path> s = Files.walk(Path.of("src/main/java"))) {
      sources = s.filter(p -> p.toString().endsWith(".java")).toList();
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> missing = new ArrayList<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, null)) {
      JavacTask task =
          (JavacTask)
              javac.getTask(
                  null,
                  files,
                  null,
                  List.of("-proc:none"),
                  null,
                  files.getJavaFileObjectsFromPaths(sources));
      DocTrees docs = DocTrees.instance(task);
      for (CompilationUnitTree unit : task.parse()) {
        new TreePathScanner<Void, Boolean>() {
          @Override
          public Void visitClass(ClassTree t, Boolean inInterface) {
            check(
                t.getSimpleName().toString(),
                t.getModifiers().getFlags().contains(Modifier.PUBLIC));
            boolean iface = t.getKind() == Tree.Kind.INTERFACE;
            boolean exported = t.getModifiers().getFlags().contains(Modifier.PUBLIC);
            return exported ? super.visitClass(t, iface) : null;
          }

          @Override
          public Void visitMethod(MethodTree t, Boolean inInterface) {
            boolean api =
                inInterface
                    || t.getModifiers().getFlags().contains(Modifier.PUBLIC)
                    || t.getModifiers().getFlags().contains(Modifier.PROTECTED);
            boolean override =
                t.getModifiers().getAnnotations().stream()
                    .anyMatch(a -> a.getAnnotationType().toString().equals("Override"));
            if (api && !override && !t.getModifiers().getFlags().contains(Modifier.PRIVATE)) {
              check(t.getName().toString(), true);
            }
            return null;
          }

          @Override
          public Void visitVariable(VariableTree t, Boolean inInterface) {
            boolean api =
                t.getModifiers().getFlags().contains(Modifier.PUBLIC)
                    || t.getModifiers().getFlags().contains(Modifier.PROTECTED);
            if (api && getCurrentPath().getParentPath().getLeaf() instanceof ClassTree) {
              check(t.getName().toString(), true);
            }
            return null;
          }

          private void check(String name, boolean api) {
            DocCommentTree doc = docs.getDocCommentTree(getCurrentPath());
            if (api && (doc == null || doc.getFullBody().isEmpty())) {
              missing.add(unit.getSourceFile().getName().replaceAll(".*/", "") + ": " + name);
            }
          }
        }.scan(unit, false);
      }
    }
    assertThat(missing).as("public elements without Javadoc").isEmpty();
  }
}
