using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Model;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

/// <summary>A rule file that is not valid YAML is a diagnostic with file, line and column: never an exception, never a dead gateway.</summary>
public sealed class YamlSyntaxTests
{
    public static TheoryData<string, string> Broken => new()
    {
        {
            "rules:\n  - name: r\n    expr: co2 > 1\n    match: { device: b-rel\n  - name: s\n    expr: co2 > 2\n",
            "bad.yaml:5:3: error: invalid YAML: the YAML reader could not continue here (the '{' at line 4, column 12 is not closed; close it with '}' on the same item); the file is not valid YAML or JSON, so none of it was read"
        },
        {
            "rules:\n  - name: r\n    expr: co2 > 1\n    match: { device: b-rel\n",
            "bad.yaml:5:1: error: invalid YAML: While parsing a flow mapping, did not find expected ',' or '}' (the '{' at line 4, column 12 is not closed; close it with '}' on the same item); the file is not valid YAML or JSON, so none of it was read"
        },
        {
            "rules:\n  - name: r\n     expr: co2 > 1\n",
            "bad.yaml:3:10: error: invalid YAML: While scanning a plain scalar value, found invalid mapping (check the indentation of this line and the one before it; quote a value that contains ': '); the file is not valid YAML or JSON, so none of it was read"
        },
        {
            "rules:\n  - name: r\n\texpr: co2 > 1\n",
            "bad.yaml:3:1: error: invalid YAML: a tab in the indentation (YAML indents with spaces only); the file is not valid YAML or JSON, so none of it was read"
        },
        {
            "rules:\n  - name: r\n    expr: co2 > 1\n    match:\n      ? [device]\n      : b-rel\n",
            "bad.yaml:5:9: error: a key must be a plain name, not a list or a mapping"
        },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Broken_yaml_is_one_diagnostic_with_line_and_column(string yaml, string expected)
    {
        var ex = Assert.Throws<DiagnosticException>(() => RuleLoader.LoadText(yaml, "bad.yaml", TestVocabulary.Create()));
        Assert.Equal(RuleLoader.DiagnosticSubject, ex.Subject);
        Assert.Equal(expected, Assert.Single(ex.Errors).ToString());
    }

    [Theory]
    [MemberData(nameof(Broken))]
    public void Reload_of_a_broken_file_reports_it_and_keeps_the_old_rules(string yaml, string expected)
    {
        var dir = Directory.CreateTempSubdirectory("rules-syntax-");
        try
        {
            var good = Path.Combine(dir.FullName, "good.yaml");
            File.WriteAllText(good, "rules:\n  - name: a\n    expr: co2 > 1000\n");
            var loaded = new List<RuleSet>();
            var failed = new List<IReadOnlyList<Diagnostic>>();
            using var watcher = new RuleDirectoryWatcher(dir.FullName, TestVocabulary.Create(), loaded.Add, failed.Add, TimeSpan.FromHours(1));
            watcher.Reload();
            Assert.Single(Assert.Single(loaded).Rules);

            File.WriteAllText(Path.Combine(dir.FullName, "bad.yaml"), yaml);
            watcher.Reload();

            Assert.Single(loaded); // no new rule set: the host keeps running the old one
            var error = Assert.Single(Assert.Single(failed));
            Assert.EndsWith(expected[expected.IndexOf(':', StringComparison.Ordinal)..], error.ToString(), StringComparison.Ordinal);
            Assert.EndsWith("bad.yaml", error.File, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Reload_of_an_unreadable_directory_reports_it_instead_of_throwing()
    {
        var dir = Directory.CreateTempSubdirectory("rules-gone-");
        var failed = new List<IReadOnlyList<Diagnostic>>();
        using var watcher = new RuleDirectoryWatcher(dir.FullName, TestVocabulary.Create(), _ => { }, failed.Add, TimeSpan.FromHours(1));
        dir.Delete(recursive: true);

        watcher.Reload();

        Assert.Contains("rules directory does not exist", Assert.Single(Assert.Single(failed)).Message, StringComparison.Ordinal);
    }
}
