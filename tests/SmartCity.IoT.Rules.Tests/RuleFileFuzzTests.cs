using System.Diagnostics;
using System.Text;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Tests.Support;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Rules.Tests;

/// <summary>
/// The shipped rule files, mutated thousands of times (seeded, so a failure reproduces): the loader either loads them or
/// throws its <see cref="DiagnosticException"/> whose every error has file:line:col. Nothing else escapes, whatever the
/// bytes: this is what keeps a typo on hot reload from killing the gateway.
/// </summary>
public sealed class RuleFileFuzzTests
{
    private const int Seed = 1313;
    private const int Iterations = 3000;

    private const string Specials = "{}[]:,-'\"|>#&*!?%@`\t \n\\";

    private static readonly string[] Fragments =
    [
        "{", "}", "[", "]", ":", ": ", "- ", "\t", "\"", "'", "|", ">", "&a ", "*a", "!!str ", "? ", "#", "---\n", "...\n", "%YAML 1.2\n",
        "\n", "\r\n", "\0", "\uFEFF", "\u00e9", "\U0001F600", "\uD800", "{{", "}}", "{{ value:", "(", ")", "not ", " and ", " or ",
        "==", ">", "rate(", "avg(co2, ", "absent(", "count(", "tags.", "5m", "0s", "-1h", "99999999999999999999d", "1e308", "NaN", "-0",
        "expr: ", "name: ", "for: ", "kind: staleness", "after: ", "severity: ", "escalate:", "clear: ", "value: ", "match: ",
        "labels: ", "annotations: ", "flapping: ", "max_changes: ", "window: ", "keep_firing_for: ", "rules:", "null", "~", "true",
    ];

    [Fact]
    public void Mutated_shipped_rule_files_give_diagnostics_never_exceptions()
    {
        var vocabulary = RepoVocabulary.Load();
        var originals = Directory.GetFiles(RepoPaths.Rules, "*.yaml").Order(StringComparer.Ordinal).Select(f => (Name: Path.GetFileName(f), Text: File.ReadAllText(f))).ToArray();
        Assert.NotEmpty(originals);
        var random = new Random(Seed);
        var loaded = 0;
        var rejected = 0;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Iterations; i++)
        {
            var (name, original) = originals[random.Next(originals.Length)];
            var text = Mutate(random, original);
            if (Outcome(() => RuleLoader.LoadText(text, name, vocabulary), name, i).Count == 0)
            {
                loaded++;
            }
            else
            {
                rejected++;
            }
        }

        Assert.True(rejected > Iterations / 4, $"only {rejected} of {Iterations} mutations were rejected: the mutations are too weak to test anything");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"{Iterations} loads took {watch.Elapsed}");
        Assert.True(loaded + rejected == Iterations);
    }

    [Fact]
    public void Invalid_utf8_bytes_in_a_rule_file_give_diagnostics_never_exceptions()
    {
        var vocabulary = RepoVocabulary.Load();
        var random = new Random(Seed + 1);
        using var dir = new TempDir("rules-fuzz-");
        var originals = Directory.GetFiles(RepoPaths.Rules, "*.yaml").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
        for (var i = 0; i < 200; i++)
        {
            var bytes = originals[random.Next(originals.Length)].ToList();
            for (var n = random.Next(1, 6); n > 0; n--)
            {
                // Lone continuation bytes, truncated sequences, overlong forms, bytes never valid in UTF-8.
                byte[][] bad = [[0x80], [0xC3], [0xE2, 0x82], [0xC0, 0xAF], [0xFF], [0xFE], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]];
                bytes.InsertRange(random.Next(bytes.Count + 1), bad[random.Next(bad.Length)]);
            }

            var path = Path.Combine(dir.Path, $"fuzz{i % 4}.yaml");
            File.WriteAllBytes(path, [.. bytes]);
            Outcome(() => RuleLoader.LoadFile(path, vocabulary), path, i);
            Directory.CreateDirectory(Path.Combine(dir.Path, "d"));
            File.Copy(path, Path.Combine(dir.Path, "d", "r.yaml"), overwrite: true);
            Outcome(() => RuleLoader.LoadDirectory(Path.Combine(dir.Path, "d"), vocabulary), "r.yaml", i);
        }
    }

    [Theory]
    [InlineData("deep flow lists", "rules: ", "nested more than 100 levels deep")]
    [InlineData("deep block lists", "rules:\n", "nested more than 100 levels deep")]
    [InlineData("deep parentheses", "rules:\n  - name: r\n    expr: ", "the expression is too long")]
    [InlineData("nested parentheses", "rules:\n  - name: r\n    expr: ", "nested more than 64 levels deep")]
    [InlineData("nested nots", "rules:\n  - name: r\n    expr: ", "nested more than 64 levels deep")]
    [InlineData("long expression", "rules:\n  - name: r\n    expr: co2", "the expression is too long")]
    [InlineData("huge value", "rules:\n  - name: r\n    expr: co2 > ", null)]
    [InlineData("huge duration", "rules:\n  - name: r\n    expr: co2 > 1\n    for: ", "malformed duration")]
    [InlineData("huge template", "rules:\n  - name: r\n    expr: co2 > 1\n    annotations: { summary: \"", null)]
    public void Extreme_files_give_diagnostics_never_exceptions(string what, string prefix, string? expected)
    {
        var text = what switch
        {
            "deep flow lists" => prefix + new string('[', 200_000) + new string(']', 200_000) + "\n",
            "deep block lists" => prefix + string.Concat(Enumerable.Range(0, 1_000).Select(i => new string(' ', i * 2) + "-\n")),
            "deep parentheses" => prefix + new string('(', 100_000) + "co2" + new string(')', 100_000) + " > 1\n",
            "nested parentheses" => prefix + new string('(', 500) + "co2" + new string(')', 500) + " > 1\n",
            "nested nots" => prefix + string.Concat(Enumerable.Repeat("not ", 900)) + "co2 > 1\n",
            "long expression" => prefix + string.Concat(Enumerable.Repeat(" + co2", 100_000)) + " > 1\n",
            "huge value" => prefix + new string('9', 1_000_000) + "\n",
            "huge duration" => prefix + new string('9', 40) + "d\n",
            _ => prefix + new string('x', 1_000_000) + string.Concat(Enumerable.Repeat("{{ value }}", 50_000)) + "\" }\n",
        };
        var errors = Outcome(() => RuleLoader.LoadText(text, "extreme.yaml", RepoVocabulary.Load()), "extreme.yaml", 0);
        if (expected is not null)
        {
            Assert.Contains(errors, e => e.Message.Contains(expected, StringComparison.Ordinal));
        }
    }

    /// <summary>The loader's diagnostics (each checked to have file:line:col), empty when the rules loaded.</summary>
    private static IReadOnlyList<Diagnostic> Outcome(Action load, string file, int iteration)
    {
        try
        {
            load();
            return [];
        }
        catch (DiagnosticException ex)
        {
            Assert.NotEmpty(ex.Errors);
            foreach (var error in ex.Errors)
            {
                Assert.True(error.File.EndsWith(file, StringComparison.Ordinal) || file.EndsWith(error.File, StringComparison.Ordinal), $"iteration {iteration}: diagnostic names {error.File}, not {file}");
                Assert.True(error.Line >= 1 && error.Column >= 1, $"iteration {iteration}: diagnostic without line and column: {error}");
                Assert.StartsWith($"{error.File}:{error.Line}:{error.Column}: ", error.ToString(), StringComparison.Ordinal);
                Assert.False(string.IsNullOrWhiteSpace(error.Message), $"iteration {iteration}: empty diagnostic");
            }

            return ex.Errors;
        }
        catch (Exception ex)
        {
            Assert.Fail($"iteration {iteration} of seed {Seed}: {file} made the loader throw {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
            return [];
        }
    }

    private static string Mutate(Random random, string text)
    {
        var sb = new StringBuilder(text);
        for (var n = random.Next(1, 9); n > 0; n--)
        {
            var at = random.Next(sb.Length + 1);
            switch (random.Next(11))
            {
                case 0 when sb.Length > 0: // delete a few characters
                    var count = Math.Min(random.Next(1, 12), sb.Length - Math.Min(at, sb.Length - 1));
                    sb.Remove(Math.Min(at, sb.Length - 1), count);
                    break;
                case 1: // insert a character, often one that means something in YAML or in an expression
                    sb.Insert(at, random.Next(3) == 0 ? (char)random.Next(0, 0x3000) : Specials[random.Next(Specials.Length)]);
                    break;
                case 2 when sb.Length > 1: // swap two characters
                    var j = random.Next(sb.Length);
                    at = Math.Min(at, sb.Length - 1);
                    (sb[at], sb[j]) = (sb[j], sb[at]);
                    break;
                case 3: // insert a fragment
                    sb.Insert(at, Fragments[random.Next(Fragments.Length)]);
                    break;
                case 4: // truncate
                    sb.Length = at;
                    break;
                case 5: // delete, duplicate or swap whole lines
                    MutateLines(random, sb);
                    break;
                case 6: // a tab in the indentation
                    var lineStart = LineStart(sb, at);
                    sb.Insert(lineStart, '\t');
                    break;
                case 7: // deep nesting
                    var depth = random.Next(1, 300);
                    sb.Insert(at, random.Next(2) == 0 ? new string('[', depth) + new string(']', random.Next(depth + 1)) : new string('(', depth));
                    break;
                case 8: // a huge value
                    sb.Insert(at, random.Next(2) == 0 ? new string('9', random.Next(20, 400)) : new string('x', random.Next(1_000, 20_000)));
                    break;
                case 9: // re-indent a line
                    var start = LineStart(sb, at);
                    sb.Insert(start, new string(' ', random.Next(1, 7)));
                    break;
                default: // replace a scalar after a key with a fragment
                    var colon = sb.ToString().IndexOf(": ", at, StringComparison.Ordinal);
                    if (colon >= 0)
                    {
                        var end = sb.ToString().IndexOf('\n', colon);
                        sb.Remove(colon + 2, (end < 0 ? sb.Length : end) - colon - 2);
                        sb.Insert(colon + 2, Fragments[random.Next(Fragments.Length)]);
                    }

                    break;
            }
        }

        return sb.ToString();
    }

    private static void MutateLines(Random random, StringBuilder sb)
    {
        var lines = sb.ToString().Split('\n').ToList();
        var i = random.Next(lines.Count);
        var j = random.Next(lines.Count);
        switch (random.Next(3))
        {
            case 0:
                lines.RemoveAt(i);
                break;
            case 1:
                lines.Insert(j, lines[i]);
                break;
            default:
                (lines[i], lines[j]) = (lines[j], lines[i]);
                break;
        }

        sb.Clear().AppendJoin('\n', lines);
    }

    private static int LineStart(StringBuilder sb, int at)
    {
        var i = Math.Min(at, sb.Length);
        while (i > 0 && sb[i - 1] != '\n')
        {
            i--;
        }

        return i;
    }
}
