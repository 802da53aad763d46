using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace SmartCity.IoT.Core.Loading;

/// <summary>
/// Passes YAML events through while remembering which collections are open, so a syntax error inside an unclosed
/// <c>{</c> or <c>[</c> can point at where it was opened.
/// </summary>
internal sealed class FlowTrackingParser(IParser inner) : IParser
{
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
                _open.Push((m.Style == MappingStyle.Flow, '{', m.Start));
                break;
            case SequenceStart s:
                _open.Push((s.Style == SequenceStyle.Flow, '[', s.Start));
                break;
            case MappingEnd or SequenceEnd when _open.Count > 0:
                _open.Pop();
                break;
        }

        return true;
    }
}
