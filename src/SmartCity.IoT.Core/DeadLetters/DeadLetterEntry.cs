namespace SmartCity.IoT.Core.DeadLetters;

/// <summary>What a caller says about one thing it could not deliver; the payload is passed beside it.</summary>
/// <param name="Kind">What it is, e.g. <c>message</c> (an inbound message) or <c>influx-rejected</c> (a line a sink refused).</param>
/// <param name="Source">Where it came from or was going: the topic or subject, or the sink's name and target.</param>
/// <param name="Reason">Why, short and stable enough to count by (a decode error, the server's own words).</param>
/// <param name="Detail">More about the reason, for a person: the field, the value, the position.</param>
/// <param name="Status">A status code the other side answered (HTTP), if any.</param>
/// <param name="Count">How many items the record stands for (more than 1 when they could not be told apart).</param>
public readonly record struct DeadLetterEntry(string Kind, string Source, string Reason, string Detail = "", int? Status = null, long Count = 1);
