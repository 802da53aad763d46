namespace SmartCity.IoT.Rules.Language;

/// <summary><c>place.capacity</c>: a numeric attribute of the device's place (or of its nearest ancestor that has it).</summary>
internal sealed record PlaceReference(int Position, string Name) : SyntaxNode(Position);
