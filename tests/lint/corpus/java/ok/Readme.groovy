// Text for a build report: the snippet in the string is prose, not code.
def warning = '''
Don't ship: conn.setHostnameVerifier((hostname, session) -> true)
'''
def note = """
It's the team's rule: HttpsURLConnection.setDefaultHostnameVerifier((h, s) -> true) is forbidden.
"""
println warning + note
