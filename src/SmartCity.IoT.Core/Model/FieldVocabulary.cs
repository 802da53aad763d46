namespace SmartCity.IoT.Core.Model;

/// <summary>
/// The one list of canonical field names every profile maps onto (so <c>pm2_5</c> never drifts to <c>pm2.5</c>).
/// Field ids are dense, so a <see cref="Reading"/> addresses values by array index.
/// </summary>
public sealed class FieldVocabulary
{
    private readonly FieldDefinition[] _fields;
    private readonly Dictionary<string, int> _byName;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _byNameSpan;

    public FieldVocabulary(IEnumerable<FieldDefinition> fields)
    {
        _fields = fields.OrderBy(f => f.Id).ToArray();
        for (var i = 0; i < _fields.Length; i++)
        {
            if (_fields[i].Id != i)
            {
                throw new ArgumentException($"Field ids must be dense from 0; '{_fields[i].Name}' has id {_fields[i].Id}, expected {i}.", nameof(fields));
            }
        }

        _byName = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var f in _fields)
        {
            if (!_byName.TryAdd(f.Name, f.Id))
            {
                throw new ArgumentException($"Field '{f.Name}' is defined twice.", nameof(fields));
            }
        }

        _byNameSpan = _byName.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _fields.Length;

    public IReadOnlyList<FieldDefinition> Fields => _fields;

    public FieldDefinition this[int id] => _fields[id];

    public bool TryGetId(ReadOnlySpan<char> name, out int id) => _byNameSpan.TryGetValue(name, out id);

    public bool TryGet(string name, out FieldDefinition field)
    {
        if (_byName.TryGetValue(name, out var id))
        {
            field = _fields[id];
            return true;
        }

        field = null!;
        return false;
    }
}
