namespace SmartCity.IoT.Core.Decoding;

/// <summary>An availability / last-will topic: the payload (or a JSON path in it) says online or offline.</summary>
public sealed class AvailabilityTopic
{
    public AvailabilityTopic(TopicTemplate template, AvailabilityValues values, JsonPath? path)
    {
        Template = template;
        Values = values;
        Path = path;
        if (path is not null)
        {
            Json = new JsonPayloadDecoder().SetAvailability(path, values);
        }
    }

    public TopicTemplate Template { get; }

    public AvailabilityValues Values { get; }

    public JsonPath? Path { get; }

    internal JsonPayloadDecoder? Json { get; }
}
