"""Default wording of the summary report's editable parts.

The section chief edits these per campaign (ReportSettings); a blank field falls back to
the text here. The wording is the product's own: it describes what the product records
(two-reviewer crossing, the chief's check, the leader's sample, the registers), not any
particular county's report.
"""

from .data import CategoryStats

DEFAULT_TITLE = "干部人事档案专项审核工作总结报告"
DEFAULT_ADDRESSEE = "市委组织部"  # the model report's; a county reports to the city
DEFAULT_ISSUING_UNIT = "组织部"

DEFAULT_OPENING = (
    "按照上级关于开展干部人事档案专项审核工作的部署要求，我们对{campaign}范围内的干部人事档案逐卷开展了专项审核，"
    "对审核发现的问题逐项登记、逐项整改。现将工作开展情况报告如下。"
)

DEFAULT_PRACTICES = """\
（一）明确责任分工，统筹推进审核。成立专项审核工作专班，明确分管领导、科室负责人和审核人员各自职责，按审核范围和时间节点倒排工作计划，确保每卷档案都有专人负责、每个环节都有时间要求。

（二）统一审核口径，开展业务培训。审核前组织审核人员集中学习干部人事档案工作相关规定和认定政策，对出生日期、参加工作时间、入党时间、学历学位和经历五个方面逐项明确认定依据，统一审核标准和问题登记要求。

（三）落实交叉复审，层层把关质量。每卷档案先由一名审核人员初审，再由另一名审核人员交叉复审，复审后由科室负责人逐卷把关，分管领导按比例抽查；每一环节的经办人、时间和意见全部留痕，退回的案卷说明理由后重新审核。

（四）逐项登记问题，扎实推进整改。系统比对与人工审核相结合，对发现的问题逐条登记现有信息、档案记载、依据材料和原因，通过信息反馈、个别约谈、电话催补和专人查补等方式收集材料，经鉴别后作出认定并纠正现有信息，纠正前的原值全部保留备查。

（五）规范日常管理，严守保密纪律。审核期间严格执行档案查阅登记制度，系统自动记录每一次档案查阅；同步规范材料接收、材料转出、档案利用和档案传递等登记簿，审核人员实行回避，不接触本人及亲属档案。"""

DEFAULT_PROBLEMS = """\
专项审核工作取得了阶段性成效，但对照上级要求，仍有一些方面需要改进。

一是部分档案材料形成时间较早、记载不规范，个别信息的原始依据难以查找，认定工作耗时较长。

二是材料收集归档的及时性有待提高，部分新形成的材料未能按时送交归档，日常整理核对工作还需加强。

三是档案工作人员力量相对薄弱，业务能力和信息化应用水平需要进一步提升。

下一步，我们将以此次专项审核为基础，持续跟踪尚未整改到位的问题，坚持档案材料随形成随归档，加强档案工作人员培训，推进档案管理规范化、信息化，切实维护干部人事档案的真实性、准确性和完整性。"""


def paragraphs(text: str) -> list[str]:
    """Split an edited narrative into paragraphs: one per non-blank line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def category_resolution(c: CategoryStats) -> str:
    """How a category's problems were worked on, from the data: the default of the paragraph
    the chief may rewrite (ReportSettings), e.g. "经过2轮信息反馈、约谈5人次、补充材料12份，
    已认定7人、纠正9人，其余正在跟踪推进。" Only non-zero parts are said."""
    pending = f"另有系统比对疑点{c.pending}条待核实。" if c.pending else ""
    if not c.cadres:
        # Unverified findings are no finding yet: "未发现" would claim what nobody has checked.
        return f"目前尚无经核实的此类问题，另有系统比对疑点{c.pending}条待核实。" if c.pending else "本次审核未发现此类问题。"
    work = []
    if c.feedback_rounds:
        work.append(f"经过{c.feedback_rounds}轮信息反馈")
    if c.interviews:
        work.append(f"{'约谈' if work else '经约谈'}{c.interviews}人次")
    if c.materials_requested:
        received = c.materials_received
        outstanding = "" if received >= c.materials_requested else ("（尚未收到）" if not received else f"（已收到{received}份）")
        work.append(f"{'补充材料' if work else '经补充材料'}{c.materials_requested}份{outstanding}")
    done = []
    if c.cadres_determined:
        done.append(f"已认定{c.cadres_determined}人")
    if c.cadres_corrected:
        done.append(f"{'纠正' if done else '已纠正'}{c.cadres_corrected}人")
    clauses = ["、".join(work), "、".join(done)]
    head = "，".join(part for part in clauses if part)
    tail = "目前已全部整改到位。"
    if c.open:
        tail = "其余正在跟踪推进。" if done else "目前正在跟踪推进。"
    return (f"{head}，{tail}" if head else tail) + pending
