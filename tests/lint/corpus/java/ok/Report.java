class Report {
    // A Java text block is a string: the snippet in it is prose.
    static final String TEXT = """
        Don't write conn.setHostnameVerifier((hostname, session) -> true);
        """;
}
