using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Decoding.Sparkplug;
using SmartCity.IoT.Core.Loading;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Devices.Loading;

/// <summary>
/// <c>payload: { format: sparkplug }</c>: Sparkplug B edge nodes and devices; each field names its <c>metric</c> as the
/// BIRTH names it. The topics are <c>spBv1.0/{group}/{type}/{edge_node}</c> and, for devices,
/// <c>spBv1.0/{group}/{type}/{edge_node}/{device}</c> (the group may be written as a literal).
/// </summary>
internal sealed class SparkplugPayloadBuilder(ProfileContext context) : IPayloadBuilder
{
    public const string Namespace = "spBv1.0";

    private readonly List<SparkplugField> _fields = [];
    private readonly HashSet<string> _metrics = new(StringComparer.Ordinal);

    public string SourceOf(YamlMappingNode field, string name, string? path, bool isBinary) => "metric '" + Metric(field, name) + "'";

    public void Add(FieldSpec field)
    {
        var file = context.File;
        if (field.IsBinary || field.Path is not null)
        {
            file.Error(field.Node, $"field '{field.Name}': a Sparkplug field names its 'metric' (as the BIRTH names it), not a 'path' or 'offset'");
            return;
        }

        if (field.Mapping.Required)
        {
            file.Error(YamlSource.Get(field.Node, "required"), $"field '{field.Name}': Sparkplug DATA carries only the metrics that changed, so no field can be 'required'");
        }

        var metric = Metric(field.Node, field.Name);
        if (!_metrics.Add(metric))
        {
            file.Error(YamlSource.Get(field.Node, "metric") ?? field.Node, $"field '{field.Name}': metric '{metric}' is mapped twice");
            return;
        }

        _fields.Add(new SparkplugField(metric, field.Mapping));
    }

    public PayloadDecoder Build(YamlMappingNode root, IReadOnlyList<TopicTemplate> topics, List<PayloadTag> payloadTags)
    {
        context.RejectTimestampAndTags(root, "a Sparkplug payload (its timestamp is read from the payload)");
        string? typeTag = null;
        var topicsNode = YamlSource.Get(root, "topics");
        foreach (var t in topics)
        {
            var segs = t.Segments;
            var ok = segs.Count is 4 or 5 && segs[0].Literal == Namespace && segs[2].IsNamed && segs[3].IsNamed
                && (segs.Count == 4 ? t.DeviceIdIndex == 3 : segs[4].IsNamed && t.DeviceIdIndex == 4);
            if (!ok)
            {
                context.File.Error(topicsNode, $"Sparkplug topic '{t.Template}' must be {Namespace}/{{group}}/{{type}}/{{edge_node}} (device_id: edge_node) or {Namespace}/{{group}}/{{type}}/{{edge_node}}/{{device}}; the group may be a literal");
                continue;
            }

            if (typeTag is not null && typeTag != segs[2].Name)
            {
                context.File.Error(topicsNode, $"Sparkplug topics name their message-type level differently ('{typeTag}', '{segs[2].Name}'); use one name");
            }

            typeTag ??= segs[2].Name;
        }

        return new SparkplugPayloadDecoder(_fields, typeTag ?? "type", new SparkplugSessionStore());
    }

    private string Metric(YamlMappingNode field, string name) => context.File.Str(field, "metric", $"field '{name}'") ?? name;
}
