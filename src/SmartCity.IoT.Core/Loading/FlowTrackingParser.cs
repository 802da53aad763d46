using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace SmartCity.IoT.Core.Loading;

/// <summary>
/// Passes YAML events through while remembering which collections are open, so a syntax error inside an unclosed
/// <c>{</c> or <c>[</c> can point at where it was opened. Refuses nesting deeper than <see cref="MaxDepth"/>: the node
/// tree is built recursively, and a file of a million '[' would overflow the stack (which no handler can catch).
/// </summary>
internal sealed class FlowTrackingParser(IParser inner) : IParser
{
    /// <summary>Deepest nesting of mappings and lists; configuration files need a handful of levels.</summary>
    public const int MaxDepth = 100;

    private readonly Stack<(bool Flow, char Open, Mark Start)> _open = new();

    public ParsingEvent? Current => inner.Current;

    /// <summary>The innermost flow collection still open: its bracket and where it starts.</summary>
    public (char Open, Mark Start)? InnermostOpenFlow
    {
        get
        {
            foreach (var entry in _open)
            {
                if (entry.Flow)
                {
                    return (entry.Open, entry.Start);
                }
            }

            return null;
        }
    }

    public bool MoveNext()
    {
        if (!inner.MoveNext())
        {
            return false;
        }

        switch (inner.Current)
        {
            case MappingStart m:
                Push(m.Style == MappingStyle.Flow, '{', m);
                break;
            case SequenceStart s:
                Push(s.Style == SequenceStyle.Flow, '[', s);
                break;
            case MappingEnd or SequenceEnd when _open.Count > 0:
                _open.Pop();
                break;
        }

        return true;
    }

    private void Push(bool flow, char open, ParsingEvent start)
    {
        if (_open.Count >= MaxDepth)
        {
            throw new YamlException(start.Start, start.End, $"lists and mappings are nested more than {MaxDepth} levels deep");
        }

        _open.Push((flow, open, start.Start));
    }
}
