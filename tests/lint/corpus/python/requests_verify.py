import httpx
import requests

session = requests.Session()
session.verify = False
r1 = requests.get("https://internal.example.com/api", verify=False)
r2 = requests.post(
    "https://internal.example.com/api",
    json={"a": 1},
    verify=False,
)
client = httpx.Client(verify=False)
r3 = httpx.get("https://internal.example.com", verify=False)
s3 = boto3.client("s3", verify=False)
